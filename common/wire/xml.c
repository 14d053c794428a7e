/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include "wire/xml.h"

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && (!name || !strcmp((const char *)n->name, name));
}

xmlNode *xml_child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

xmlNode *xml_next(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n->next; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

xmlNode *xml_path(const xmlNode *n, const char *path)
{
	char step[128];
	const xmlNode *cur = n;
	while (cur && *path) {
		size_t l = strcspn(path, "/");
		if (l >= sizeof step)
			return NULL;
		memcpy(step, path, l);
		step[l] = '\0';
		cur = xml_child(cur, step);
		path += l;
		if (*path == '/')
			path++;
	}
	return (xmlNode *)cur;
}

const char *xml_text(const xmlNode *n, const char *path)
{
	const xmlNode *e = *path ? xml_path(n, path) : n;
	if (!e)
		return "";
	for (xmlNode *c = e->children; c; c = c->next)
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			return c->content ? (const char *)c->content : "";
	return "";
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

enum dp_err response_parse(const char *body, size_t len, long status, struct response *r,
			   struct buf *msg)
{
	memset(r, 0, sizeof *r);
	r->request_id = "";
	xmlSetGenericErrorFunc(NULL, silent);
	xmlDoc *doc = len ? xmlReadMemory(body, (int)len, "response.xml", NULL,
					  XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
						  XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
			  : NULL;
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		if (doc)
			xmlFreeDoc(doc);
		buf_addf(msg, "the endpoint's answer (HTTP %ld) is not an EC2 XML document", status);
		return DP_ERR_BADXML;
	}
	const char *rootname = (const char *)root->name;
	/* EC2's <Response><Errors><Error>; the query protocol's <ErrorResponse><Error>,
	 * which some EC2 look-alikes (moto) wrap in <Errors> too */
	xmlNode *errors = !strcmp(rootname, "Response") ? xml_child(root, "Errors")
			: !strcmp(rootname, "ErrorResponse")
				? (xml_child(root, "Errors") ? xml_child(root, "Errors") : root)
				: NULL;
	if (errors) {
		xmlNode *e = xml_child(errors, "Error");
		const char *code = xml_text(e, "Code");
		buf_addf(msg, "%s.%s: %s", status >= 500 ? "Service" : "Client",
			 *code ? code : "Unknown", xml_text(e, "Message"));
		const char *rid = xml_text(root, "RequestID");
		r->doc = doc;
		r->root = root;
		r->request_id = *rid ? rid : xml_text(root, "RequestId");
		return DP_ERR_SERVICE;
	}
	size_t rl = strlen(rootname);
	if (rl < 8 || strcmp(rootname + rl - 8, "Response")) {
		xmlFreeDoc(doc);
		buf_addf(msg, "the endpoint's answer (HTTP %ld) is not an EC2 XML document", status);
		return DP_ERR_BADXML;
	}
	r->doc = doc;
	r->root = root;
	r->request_id = xml_text(root, "requestId");
	if (status >= 400) {
		buf_addf(msg, "%s.HttpError: HTTP status %ld", status >= 500 ? "Service" : "Client", status);
		return DP_ERR_SERVICE;
	}
	return DP_OK;
}

void response_release(struct response *r)
{
	if (r->doc)
		xmlFreeDoc(r->doc);
	memset(r, 0, sizeof *r);
}

static void count_error(void *ctx, xmlErrorPtr e)
{
	struct buf *why = ctx;
	const char *m = e->message ? e->message : "error";
	if (!why->len)
		buf_addf(why, "line %d: %.*s", e->line, (int)strcspn(m, "\n"), m);
	else
		buf_addc(why, ' ');
}

int xml_well_formed(const char *body, size_t len, struct buf *why)
{
	struct buf first = BUF_INIT;
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		buf_adds(why, "out of memory");
		return -1;
	}
	xmlSetGenericErrorFunc(NULL, silent);
	xmlSetStructuredErrorFunc(&first, count_error);
	xmlDoc *doc = len ? xmlCtxtReadMemory(ctxt, body, (int)len, "answer.xml", NULL, XML_PARSE_NONET) : NULL;
	int ok = doc && ctxt->wellFormed && ctxt->nsWellFormed && !first.len &&
		 (!doc->encoding || !strcasecmp((const char *)doc->encoding, "UTF-8")) &&
		 xmlDocGetRootElement(doc);
	if (!ok) {
		if (first.len)
			buf_adds(why, buf_str(&first));
		else if (!len)
			buf_adds(why, "the answer is empty");
		else
			buf_adds(why, "no root element, or an encoding other than UTF-8");
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc)
		xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	buf_release(&first);
	return ok ? 0 : -1;
}
