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
// AWS references:
//   - https://docs.aws.amazon.com/signin/latest/userguide/introduction-to-iam-user-sign-in-tutorial.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
//   - https://docs.aws.amazon.com/cli/latest/reference/kms/
package console
