package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/keytrail/keytrail/internal/policy"
)

// keyActionRoutes adds the pages that change KMS keys: create, enable and disable, schedule and
// cancel deletion, rotation, and the key policy editor.
//   - https://docs.aws.amazon.com/kms/latest/developerguide/create-symmetric-cmk.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/enabling-keys.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-scheduling-key-deletion.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-enable.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying.html
func (c *Console) keyActionRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+Prefix+"/kms/create", c.signedIn(c.createKeyPage))
	m.HandleFunc("POST "+Prefix+"/kms/create", c.signedIn(c.createKey))
	m.HandleFunc("POST "+Prefix+"/kms/keys/{id}/{action}", c.signedIn(c.keyAction))
	m.HandleFunc("GET "+Prefix+"/kms/keys/{id}/policy", c.signedIn(c.keyPolicyPage))
	m.HandleFunc("POST "+Prefix+"/kms/keys/{id}/policy", c.signedIn(c.putKeyPolicy))
}

// createKeyData is the create-key form.
type createKeyData struct {
	Alias, Description string
	FormError          string
}

func (c *Console) createKeyPage(w http.ResponseWriter, _ *http.Request, ss *session) {
	c.render(w, http.StatusOK, "key_create", &page{Title: "Create key", Session: ss, Data: &createKeyData{}})
}

// createKey creates a symmetric encryption key with the default key policy (as the KMS console
// does when no policy is chosen), then its alias.
func (c *Console) createKey(w http.ResponseWriter, r *http.Request, ss *session) {
	d := &createKeyData{Alias: strings.TrimSpace(r.PostFormValue("alias")), Description: r.PostFormValue("description")}
	p := &page{Title: "Create key", Session: ss, Data: d}
	alias := d.Alias
	if alias != "" && !strings.HasPrefix(alias, "alias/") {
		alias = "alias/" + alias
	}
	if alias == "alias/" || strings.HasPrefix(alias, "alias/aws/") {
		d.FormError = "Alias: enter a name that does not begin with aws/."
		c.render(w, http.StatusBadRequest, "key_create", p)
		return
	}
	client := c.clientsFor(r, ss).kms()
	in := &kms.CreateKeyInput{}
	words := []string{"kms", "create-key"}
	if d.Description != "" {
		in.Description = aws.String(d.Description)
		words = append(words, "--description", d.Description)
	}
	cmds := []cliCommand{c.regional(r, "Create the key", words...)}
	out, err := client.CreateKey(r.Context(), in)
	if err != nil {
		p.Error, p.CLI = c.errorOf(err), cmds
		c.render(w, http.StatusOK, "key_create", p)
		return
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	msg := "Key " + id + " created."
	if alias != "" {
		cmds = append(cmds, c.regional(r, "Name it", "kms", "create-alias", "--alias-name", alias, "--target-key-id", id))
		if _, err := client.CreateAlias(r.Context(), &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)}); err != nil {
			// The key exists: its page says so, with the alias's error.
			c.showKey(w, r, ss, id, c.errorOf(err), cmds)
			return
		}
		msg = "Key " + id + " created with alias " + alias + "."
	}
	redirectCLI(w, r, ss, keyPath(id), msg, cmds)
}

// keyAction is a key page's button: enable, disable, schedule-deletion, cancel-deletion,
// rotation. A refused call shows the key page with AWS's error, nothing changed.
func (c *Console) keyAction(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	client := c.clientsFor(r, ss).kms()
	ctx := r.Context()
	var (
		err error
		msg string
		cmd cliCommand
	)
	switch r.PathValue("action") {
	case "enable":
		cmd = c.regional(r, "Enable the key", "kms", "enable-key", "--key-id", id)
		_, err = client.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)})
		msg = "Key " + id + " enabled."
	case "disable":
		cmd = c.regional(r, "Disable the key", "kms", "disable-key", "--key-id", id)
		_, err = client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)})
		msg = "Key " + id + " disabled."
	case "schedule-deletion":
		days, perr := strconv.ParseInt(r.PostFormValue("days"), 10, 32)
		if perr != nil || days < 7 || days > 30 {
			c.showKey(w, r, ss, id, &apiError{Code: "ValidationException", Message: "Waiting period: enter a whole number of days from 7 to 30."}, nil)
			return
		}
		cmd = c.regional(r, "Schedule the deletion", "kms", "schedule-key-deletion", "--key-id", id, "--pending-window-in-days", strconv.FormatInt(days, 10))
		var out *kms.ScheduleKeyDeletionOutput
		out, err = client.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(int32(days))})
		if err == nil {
			msg = "Key " + id + " is scheduled for deletion on " + aws.ToTime(out.DeletionDate).UTC().Format("2006-01-02 15:04 UTC") + "."
		}
	case "cancel-deletion":
		cmd = c.regional(r, "Cancel the deletion", "kms", "cancel-key-deletion", "--key-id", id)
		_, err = client.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
		msg = "Deletion of key " + id + " canceled. The key is disabled: enable it to use it."
	case "rotation":
		if r.PostFormValue("enabled") == "on" {
			cmd = c.regional(r, "Turn on automatic rotation", "kms", "enable-key-rotation", "--key-id", id)
			_, err = client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)})
			msg = "Automatic rotation of key " + id + " turned on."
		} else {
			cmd = c.regional(r, "Turn off automatic rotation", "kms", "disable-key-rotation", "--key-id", id)
			_, err = client.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(id)})
			msg = "Automatic rotation of key " + id + " turned off."
		}
	default:
		c.render(w, http.StatusNotFound, "notfound", &page{Title: "Not found", Session: ss})
		return
	}
	if err != nil {
		c.showKey(w, r, ss, id, c.errorOf(err), []cliCommand{cmd})
		return
	}
	redirectCLI(w, r, ss, keyPath(id), msg, []cliCommand{cmd})
}

// keyPolicyData is the key policy editor.
type keyPolicyData struct {
	ID, Policy string
	FormError  string // the policy parser's located error: nothing was saved
}

func (c *Console) keyPolicyPage(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	p := &page{Title: "Edit key policy", Session: ss, Data: &keyPolicyData{ID: id}}
	p.CLI = []cliCommand{c.regional(r, "Show the key policy", "kms", "get-key-policy", "--key-id", id, "--policy-name", "default", "--output", "text")}
	out, err := c.clientsFor(r, ss).kms().GetKeyPolicy(r.Context(), &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		p.Error, p.Data = c.errorOf(err), nil
	} else {
		p.Data = &keyPolicyData{ID: id, Policy: indent(aws.ToString(out.Policy))}
	}
	c.render(w, http.StatusOK, "key_policy", p)
}

// putKeyPolicy validates the edited policy with keytrail's policy parser (the same one
// PutKeyPolicy uses) and shows its located error without saving; a valid one is saved with
// PutKeyPolicy, whose own refusals (the lockout safety check, a principal that does not exist)
// are AWS's errors.
func (c *Console) putKeyPolicy(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	doc := r.PostFormValue("policy")
	d := &keyPolicyData{ID: id, Policy: doc}
	p := &page{Title: "Edit key policy", Session: ss, Data: d}
	if strings.TrimSpace(doc) == "" {
		d.FormError = "The key policy is empty."
		c.render(w, http.StatusBadRequest, "key_policy", p)
		return
	}
	if err := policy.CheckSize(doc, policy.Key, policy.MaxKeyPolicySize); err != nil {
		d.FormError = err.Error()
		c.render(w, http.StatusBadRequest, "key_policy", p)
		return
	}
	if _, err := policy.Parse(doc, policy.Key); err != nil {
		d.FormError = err.Error()
		c.render(w, http.StatusBadRequest, "key_policy", p)
		return
	}
	cmds := []cliCommand{
		c.regional(r, "Save the key policy (policy.json below)", "kms", "put-key-policy", "--key-id", id, "--policy-name", "default", "--policy", "file://policy.json"),
		{What: "policy.json", Command: indent(doc)},
	}
	if _, err := c.clientsFor(r, ss).kms().PutKeyPolicy(r.Context(), &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"), Policy: aws.String(doc)}); err != nil {
		p.Error, p.CLI = c.errorOf(err), cmds
		c.render(w, http.StatusOK, "key_policy", p)
		return
	}
	redirectCLI(w, r, ss, keyPath(id), "Key policy of "+id+" saved.", cmds)
}

// redirectCLI is redirect (render.go), with the CLI equivalents of what the POST did shown once on the
// page at target.
func redirectCLI(w http.ResponseWriter, r *http.Request, ss *session, target, msg string, cmds []cliCommand) {
	ss.mu.Lock()
	ss.flashCLI = cmds
	ss.mu.Unlock()
	ss.setFlash(msg)
	// target is a console path: Prefix and path-escaped names (keyPath, trailPath), never a
	// value that could lead off the console.
	http.Redirect(w, r, target, http.StatusSeeOther) //nolint:gosec // see above
}

// takeFlashCLI returns the CLI equivalents left by the session's last POST, and clears them.
func (ss *session) takeFlashCLI() []cliCommand {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	cmds := ss.flashCLI
	ss.flashCLI = nil
	return cmds
}

// keyPath is the console path of key id's page.
func keyPath(id string) string { return Prefix + "/kms/keys/" + url.PathEscape(id) }
