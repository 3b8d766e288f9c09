package console

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/keytrail/keytrail/internal/identity"
)

// passwordPage shows the form an IAM user changes its own console password with (the page a
// user whose password must be reset is sent to).
func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, http.StatusOK, "password", c.passwordForm(r, ss))
}

func (c *Console) passwordForm(r *http.Request, ss *session) *page {
	p := &page{Title: "Change password", Session: ss}
	p.CLI = []cliCommand{global(r, "Change your password", "iam", "change-password", "--old-password", "<current>", "--new-password", "<new>")}
	if ss.who.Type != identity.IAMUser {
		p.Error = &apiError{Code: "InvalidUserType", Message: "Only IAM users change their console password here; the root's is keytrail's --root-secret."}
	}
	return p
}

// changePassword changes the signed-in user's password with IAM ChangePassword, as the user. A
// refused change (wrong current password, the password policy, a denied call, new passwords that
// differ) shows the form again with the error, nothing changed.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, ss *session) {
	p := c.passwordForm(r, ss)
	if p.Error != nil {
		c.render(w, http.StatusBadRequest, "password", p)
		return
	}
	newPassword := r.PostFormValue("new")
	if newPassword != r.PostFormValue("confirm") {
		p.Error = &apiError{Code: "PasswordMismatch", Message: "The new passwords do not match. Nothing was changed."}
		c.render(w, http.StatusBadRequest, "password", p)
		return
	}
	_, err := c.clientsFor(r, ss).iam().ChangePassword(r.Context(), &iam.ChangePasswordInput{
		OldPassword: aws.String(r.PostFormValue("old")), NewPassword: aws.String(newPassword)})
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusBadRequest, "password", p)
		return
	}
	ss.mu.Lock()
	ss.reset = false
	ss.mu.Unlock()
	redirect(w, r, ss, Prefix+"/", "Your password has been changed.")
}
