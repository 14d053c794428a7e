/* SPDX-License-Identifier: Apache-2.0 */
/* common/wire/xml.c: reading EC2 answers, whatever their xmlns version. */
#include "wire/xml.h"
#include "tap.h"

static enum dp_err parse(const char *body, long status, struct response *r, struct buf *msg)
{
	buf_reset(msg);
	return response_parse(body, strlen(body), status, r, msg);
}

static void success(const char *xmlns)
{
	char body[1024];
	snprintf(body, sizeof body,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<DescribeImagesResponse%s>\n"
		 "  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
		 "  <imagesSet>\n"
		 "    <item><imageId>ami-1</imageId><productCodes><item><productCode>774F4FF8</productCode></item></productCodes></item>\n"
		 "    <item><imageId>ami-2</imageId><name><![CDATA[a & b]]></name></item>\n"
		 "  </imagesSet>\n"
		 "</DescribeImagesResponse>\n", xmlns);
	struct response r;
	struct buf msg = BUF_INIT;
	is_int(parse(body, 200, &r, &msg), DP_OK, "a success document with xmlns '%s'", xmlns);
	is_str(buf_str(&msg), "", "no message");
	ok(r.root && !strcmp((const char *)r.root->name, "DescribeImagesResponse"), "root is the answer");
	is_str(r.request_id, "59dbff89-35bd-4eac-99ed-be587EXAMPLE", "the requestId");
	int n = 0;
	xmlNode *set = xml_child(r.root, "imagesSet");
	xml_foreach(item, set, "item")
		n++;
	is_int(n, 2, "xml_foreach sees both items");
	is_str(xml_text(r.root, "imagesSet/item/imageId"), "ami-1", "xml_text follows a path");
	is_str(xml_text(r.root, "imagesSet/item/productCodes/item/productCode"), "774F4FF8",
	       "xml_text follows a deep path");
	is_str(xml_text(xml_next(xml_child(set, "item"), "item"), "name"), "a & b", "CDATA text");
	is_str(xml_text(r.root, "imagesSet/item/missing"), "", "a missing element is \"\"");
	is_str(xml_text(r.root, "nothing/here"), "", "a missing path is \"\"");
	ok(xml_path(r.root, "imagesSet/item") == xml_child(set, "item"), "xml_path");
	is_str(xml_text(xml_path(r.root, "requestId"), ""), "59dbff89-35bd-4eac-99ed-be587EXAMPLE",
	       "xml_text of the element itself");
	response_release(&r);
	ok(r.doc == NULL, "response_release forgets the document");
	buf_release(&msg);
}

static void error_doc(const char *body, long status, const char *want, const char *rid)
{
	struct response r;
	struct buf msg = BUF_INIT;
	is_int(parse(body, status, &r, &msg), DP_ERR_SERVICE, "an error document (HTTP %ld) is DP_ERR_SERVICE", status);
	is_str(buf_str(&msg), want, "its message (HTTP %ld)", status);
	is_str(r.request_id, rid, "its request id (HTTP %ld)", status);
	response_release(&r);
	buf_release(&msg);
}

static void bad(const char *body, size_t len, long status, const char *what)
{
	struct response r;
	struct buf msg = BUF_INIT;
	is_int(response_parse(body, len, status, &r, &msg), DP_ERR_BADXML, "%s is DP_ERR_BADXML", what);
	ok(strstr(buf_str(&msg), "not an EC2 XML document") != NULL, "%s: message says so (%s)", what, buf_str(&msg));
	ok(r.doc == NULL && r.root == NULL, "%s: nothing kept", what);
	response_release(&r);
	buf_release(&msg);
}

int main(void)
{
	success("");
	success(" xmlns=\"http://ec2.amazonaws.com/doc/2007-12-01/\"");
	success(" xmlns=\"http://ec2.amazonaws.com/doc/2009-04-04/\"");
	success(" xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"");
	success(" xmlns=\"urn:anything-else\"");

	const char *err =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code>"
		"<Message>The image id '[ami-1]' does not exist</Message></Error></Errors>"
		"<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>";
	error_doc(err, 400, "Client.InvalidAMIID.NotFound: The image id '[ami-1]' does not exist",
		  "ea966190-f9aa-478e-9ede-example");
	error_doc(err, 403, "Client.InvalidAMIID.NotFound: The image id '[ami-1]' does not exist",
		  "ea966190-f9aa-478e-9ede-example");
	error_doc(err, 500, "Service.InvalidAMIID.NotFound: The image id '[ami-1]' does not exist",
		  "ea966190-f9aa-478e-9ede-example");
	error_doc(err, 503, "Service.InvalidAMIID.NotFound: The image id '[ami-1]' does not exist",
		  "ea966190-f9aa-478e-9ede-example");
	error_doc("<Response><Errors><Error><Code>Unavailable</Code><Message>try later</Message></Error></Errors>"
		  "<RequestId>r-1</RequestId></Response>",
		  503, "Service.Unavailable: try later", "r-1");
	error_doc("<ErrorResponse xmlns=\"http://ec2.amazonaws.com/doc/2009-04-04/\"><Error><Code>AuthFailure</Code>"
		  "<Message>bad signature</Message></Error><RequestId>r-2</RequestId></ErrorResponse>",
		  401, "Client.AuthFailure: bad signature", "r-2");
	error_doc("<Response><Errors><Error><Message>no code</Message></Error></Errors></Response>",
		  400, "Client.Unknown: no code", "");
	error_doc("<Response><Errors/></Response>", 400, "Client.Unknown: ", "");
	/* a success document with an error status still fails */
	error_doc("<RunInstancesResponse><requestId>r-3</requestId></RunInstancesResponse>", 500,
		  "Service.HttpError: HTTP status 500", "r-3");
	error_doc("<RunInstancesResponse><requestId>r-4</requestId></RunInstancesResponse>", 404,
		  "Client.HttpError: HTTP status 404", "r-4");

	const char *html = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
	bad(html, strlen(html), 502, "an HTML page");
	const char *html5 = "<!DOCTYPE html>\n<html><body><p>oops<br></body></html>";
	bad(html5, strlen(html5), 200, "an HTML5 page that is not XML");
	bad("", 0, 200, "an empty body");
	bad("", 0, 500, "an empty body with HTTP 500");
	bad("not xml at all", 14, 200, "plain text");
	bad("<foo/>", 6, 200, "XML that is not an answer");
	bad("<DescribeImagesResponse>", 24, 200, "a truncated answer");
	bad("<Resp/>", 7, 200, "a root shorter than \"Response\"");
	const char *xxe = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
	bad(xxe, strlen(xxe), 200, "an external entity document");

	/* external entities are never read */
	const char *ent = "<!DOCTYPE DescribeImagesResponse [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
			  "<DescribeImagesResponse><requestId>&x;</requestId></DescribeImagesResponse>";
	struct response r;
	struct buf msg = BUF_INIT;
	enum dp_err e = response_parse(ent, strlen(ent), 200, &r, &msg);
	ok(e != DP_OK || !*r.request_id, "an external entity is not expanded (got '%s')", r.request_id);
	response_release(&r);
	buf_release(&msg);
	return tap_done();
}
