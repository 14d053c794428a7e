/* SPDX-License-Identifier: Apache-2.0 */
/* Reading EC2 XML answers with libxml2. Elements are matched by local name,
 * so any xmlns version (2007-12-01 ... 2016-11-15) is understood. */
#ifndef DP_XML_H
#define DP_XML_H
#include <libxml/tree.h>
#include "base/buf.h"
#include "base/err.h"

struct response {
	xmlDoc *doc;
	xmlNode *root;          /* the <ActionResponse> element */
	const char *request_id; /* "" when absent */
};

/* Parses an answer. An error document becomes DP_ERR_SERVICE with msg set to
 * "Client.<Code>: <Message>" (status < 500) or "Service.<Code>: <Message>";
 * a body that is not EC2 XML becomes DP_ERR_BADXML. */
enum dp_err response_parse(const char *body, size_t len, long status, struct response *r,
			   struct buf *msg);
void response_release(struct response *r);

/* A strict check of an answer: an XML 1.0 document, well-formed and
 * namespace-well-formed, UTF-8 (declared or by default), parsed without a single error or warning
 * and without recovery. 0, or -1 with libxml2's first complaint in why. */
int xml_well_formed(const char *body, size_t len, struct buf *why);

xmlNode *xml_child(const xmlNode *n, const char *name);
xmlNode *xml_next(const xmlNode *n, const char *name);
/* Follows "a/b/c" of first children. NULL when any step is missing. */
xmlNode *xml_path(const xmlNode *n, const char *path);
/* Text of the element at path below n, "" when missing. Valid while the
 * document lives. */
const char *xml_text(const xmlNode *n, const char *path);
#define xml_foreach(var, parent, name) \
	for (xmlNode *var = (parent) ? xml_child((parent), (name)) : NULL; var; var = xml_next(var, (name)))

#endif
