// Package console is keytrail's web console: server-rendered pages under /console on keytrail's
// one port, for signing in as an IAM user (account ID, user name and console password) or as an
// account's root, and then acting as that identity.
//
// The console has no second authorization path: after sign-in it holds temporary credentials that
// STS minted for the session (sts.Service.ConsoleSession) and calls keytrail's own APIs with
// aws-sdk-go-v2 clients signed with them. Their requests go through the gateway in process, so
// each page is authorized by the same policy engine as any client, and each call is a CloudTrail
// event with the console's user agent and sessionCredentialFromConsole.
//
// Pages are html/template with every asset embedded (no CDN) and work without JavaScript. Every
// form carries a CSRF token; the session cookie is HttpOnly and SameSite=Strict (and Secure under
// TLS); nothing secret is rendered; sign-in is rate-limited per source IP and per user.
//
// Adding a page (trails, the S3 log browser, event history, the Lake):
//   - a handler func(w, r, *session) in a file named after its service, registered in routes()
//     behind signedIn (which also refuses a POST without the session's CSRF token);
//   - its SDK client from c.clientsFor(r, ss) (add the service's constructor to clients.go), so
//     the call is the signed-in identity's, authorized and recorded as any client's;
//   - an API error shown with p.Error = c.errorOf(err) (AWS's code and message), or per section
//     with {{template "error" .X}} and X = c.explained(ss, err); a denial of the signed-in account
//     is shown with keytrail's explanation (Config.Explain, the same store as
//     GET /_keytrail/explain/<id>): render attaches it to p.Error, explained to a section's;
//   - p.CLI, the equivalent commands (c.regional for kms, cloudtrail and s3; global for iam and
//     sts), which the layout shows ready to copy;
//   - a template templates/<name>.html defining "content" (found by parsePages; forms carry
//     <input type="hidden" name="csrf" value="{{$.CSRF}}">), rendered with c.render;
//   - a POST that changed something ends with redirect(w, r, ss, target, notice), or
//     redirectCLI with its CLI equivalents: the page at target shows them once; bad input is rendered back as a form error, nothing changed;
//   - a handler-level test beside console_test.go and a browser test in test/browser.
//
// AWS references:
//   - https://docs.aws.amazon.com/signin/latest/userguide/introduction-to-iam-user-sign-in-tutorial.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
//   - https://docs.aws.amazon.com/cli/latest/reference/kms/
package console
