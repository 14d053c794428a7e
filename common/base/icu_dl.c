/* SPDX-License-Identifier: Apache-2.0 */
/* ICU, loaded the first time it is needed. libxml2 is linked statically
 * (README: Libraries), and Debian's libxml2 calls ICU's converters for the
 * document encodings it has no converter of its own for; linking ICU would
 * load it (and the C++ runtime it needs) into every process, about 1 ms of
 * each command's start (bench/RESULTS.md), for XML that is always UTF-8
 * here. These are the converter functions libxml2 calls, each forwarding to
 * the same function of the ICU library, which the first call loads. If ICU
 * cannot be loaded, opening a converter fails as for an unknown encoding
 * and libxml2 refuses the document. Built empty without ICU's headers. */
#if __has_include(<unicode/ucnv.h>)
#include <dlfcn.h>
#include <pthread.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static void *icu;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	icu = dlopen("libicuuc.so." STR(U_ICU_VERSION_MAJOR_NUM), RTLD_LAZY | RTLD_LOCAL);
}

/* The real function of the same name (ICU's headers add its version suffix
 * to every name, so STR(name) is the library's symbol), or NULL. */
#define REAL(name)                                                         \
	static __typeof__(name) *real;                                     \
	if (!real) {                                                       \
		pthread_once(&once, load);                                 \
		if (icu)                                                   \
			*(void **)&real = dlsym(icu, STR(name));           \
	}

UConverter *ucnv_open(const char *name, UErrorCode *err)
{
	REAL(ucnv_open);
	if (!real) {
		*err = U_FILE_ACCESS_ERROR;
		return NULL;
	}
	return real(name, err);
}

void ucnv_close(UConverter *c)
{
	REAL(ucnv_close);
	if (real)
		real(c);
}

void ucnv_convertEx(UConverter *target_cnv, UConverter *source_cnv, char **target,
		    const char *target_limit, const char **source, const char *source_limit,
		    UChar *pivot_start, UChar **pivot_source, UChar **pivot_target,
		    const UChar *pivot_limit, UBool reset, UBool flush, UErrorCode *err)
{
	REAL(ucnv_convertEx);
	if (!real) {
		*err = U_FILE_ACCESS_ERROR;
		return;
	}
	real(target_cnv, source_cnv, target, target_limit, source, source_limit, pivot_start,
	     pivot_source, pivot_target, pivot_limit, reset, flush, err);
}

void ucnv_setToUCallBack(UConverter *c, UConverterToUCallback action, const void *context,
			 UConverterToUCallback *old_action, const void **old_context, UErrorCode *err)
{
	REAL(ucnv_setToUCallBack);
	if (!real) {
		*err = U_FILE_ACCESS_ERROR;
		return;
	}
	real(c, action, context, old_action, old_context, err);
}

void ucnv_setFromUCallBack(UConverter *c, UConverterFromUCallback action, const void *context,
			   UConverterFromUCallback *old_action, const void **old_context,
			   UErrorCode *err)
{
	REAL(ucnv_setFromUCallBack);
	if (!real) {
		*err = U_FILE_ACCESS_ERROR;
		return;
	}
	real(c, action, context, old_action, old_context, err);
}

/* The callbacks libxml2 installs: ICU calls these, which call its own. */
void UCNV_TO_U_CALLBACK_STOP(const void *context, UConverterToUnicodeArgs *args,
			     const char *units, int32_t length, UConverterCallbackReason reason,
			     UErrorCode *err)
{
	REAL(UCNV_TO_U_CALLBACK_STOP);
	if (real)
		real(context, args, units, length, reason, err);
}

void UCNV_FROM_U_CALLBACK_STOP(const void *context, UConverterFromUnicodeArgs *args,
			       const UChar *units, int32_t length, UChar32 cp,
			       UConverterCallbackReason reason, UErrorCode *err)
{
	REAL(UCNV_FROM_U_CALLBACK_STOP);
	if (real)
		real(context, args, units, length, cp, reason, err);
}
#else
typedef int dp_no_icu; /* an empty file is not ISO C */
#endif
