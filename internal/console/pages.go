package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// homeData is the home page: who is signed in, as STS says.
type homeData struct {
	Account, Arn, UserID string
	Expires              time.Time
}

// home is the console's home page: the signed-in identity (GetCallerIdentity, as the session)
// and links to the services.
func (c *Console) home(w http.ResponseWriter, r *http.Request, ss *session) {
	p := &page{Title: "Console Home", Session: ss}
	p.CLI = []cliCommand{global(r, "Who am I", "sts", "get-caller-identity")}
	out, err := c.clientsFor(r, ss).sts().GetCallerIdentity(r.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		p.Error = c.errorOf(err)
	} else {
		p.Data = &homeData{Account: aws.ToString(out.Account), Arn: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId), Expires: ss.expires}
	}
	c.render(w, http.StatusOK, "home", p)
}

// keyRow is a row of the keys list.
type keyRow struct {
	ID, Arn, Aliases, State, Usage, Spec, Manager, Description string
	Created                                                    time.Time
	Error                                                      *apiError // DescribeKey refused for this key
}

// keysData is the keys list page.
type keysData struct {
	Keys       []keyRow
	NextMarker string
	AliasError *apiError // ListAliases refused: the keys are shown without their aliases
}

// keys lists the region's KMS keys as the session: ListKeys, then ListAliases and DescribeKey
// of each key, as the AWS KMS console does.
func (c *Console) keys(w http.ResponseWriter, r *http.Request, ss *session) {
	p := &page{Title: "AWS KMS keys", Session: ss}
	p.CLI = []cliCommand{
		c.regional(r, "List the keys", "kms", "list-keys"),
		c.regional(r, "List the aliases", "kms", "list-aliases"),
	}
	ctx := r.Context()
	client := c.clientsFor(r, ss).kms()
	in := &kms.ListKeysInput{Limit: aws.Int32(100)}
	if m := r.URL.Query().Get("marker"); m != "" {
		in.Marker = aws.String(m)
	}
	out, err := client.ListKeys(ctx, in)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "keys", p)
		return
	}
	data := &keysData{}
	if out.Truncated {
		data.NextMarker = aws.ToString(out.NextMarker)
	}
	aliases := map[string][]string{}
	pager := kms.NewListAliasesPaginator(client, &kms.ListAliasesInput{})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			data.AliasError = c.explained(ss, err)
			break
		}
		for _, a := range page.Aliases {
			if a.TargetKeyId != nil {
				aliases[*a.TargetKeyId] = append(aliases[*a.TargetKeyId], aws.ToString(a.AliasName))
			}
		}
	}
	for _, k := range out.Keys {
		row := keyRow{ID: aws.ToString(k.KeyId), Arn: aws.ToString(k.KeyArn)}
		names := aliases[row.ID]
		sort.Strings(names)
		for i, n := range names {
			if i > 0 {
				row.Aliases += ", "
			}
			row.Aliases += n
		}
		d, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
		if err != nil {
			row.Error = c.explained(ss, err)
		} else {
			m := d.KeyMetadata
			row.State, row.Usage, row.Spec, row.Manager = string(m.KeyState), string(m.KeyUsage), string(m.KeySpec), string(m.KeyManager)
			row.Description, row.Created = aws.ToString(m.Description), aws.ToTime(m.CreationDate)
		}
		data.Keys = append(data.Keys, row)
	}
	p.Data = data
	c.render(w, http.StatusOK, "keys", p)
}

// keyData is the key details page.
type keyData struct {
	ID            string
	Meta          *kmstypes.KeyMetadata
	Aliases       []string
	MultiRegion   bool
	Policy        string    // the key policy, indented
	PolicyError   *apiError // GetKeyPolicy refused
	Rotation      bool      // automatic rotation is on
	RotationError *apiError // GetKeyRotationStatus refused (or the key does not rotate)
}

// key shows a key's details as the session: DescribeKey, its aliases and its key policy.
func (c *Console) key(w http.ResponseWriter, r *http.Request, ss *session) {
	c.showKey(w, r, ss, r.PathValue("id"), nil, nil)
}

// showKey renders key id's page; after a refused action, with its error and CLI equivalent.
func (c *Console) showKey(w http.ResponseWriter, r *http.Request, ss *session, id string, actionErr *apiError, cmds []cliCommand) {
	p := &page{Title: "Key details", Session: ss}
	p.CLI = []cliCommand{
		c.regional(r, "Describe the key", "kms", "describe-key", "--key-id", id),
		c.regional(r, "Show the key policy", "kms", "get-key-policy", "--key-id", id, "--policy-name", "default", "--output", "text"),
	}
	ctx := r.Context()
	client := c.clientsFor(r, ss).kms()
	p.CLI = append(cmds, p.CLI...)
	d, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		p.Error = c.errorOf(err)
		if actionErr != nil {
			p.Error = actionErr
		}
		c.render(w, http.StatusOK, "key", p)
		return
	}
	p.Error = actionErr
	data := &keyData{ID: aws.ToString(d.KeyMetadata.KeyId), Meta: d.KeyMetadata, MultiRegion: aws.ToBool(d.KeyMetadata.MultiRegion)}
	p.Title = "Key " + data.ID
	if aliases, err := client.ListAliases(ctx, &kms.ListAliasesInput{KeyId: d.KeyMetadata.KeyId}); err == nil {
		for _, a := range aliases.Aliases {
			data.Aliases = append(data.Aliases, aws.ToString(a.AliasName))
		}
	}
	pol, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: d.KeyMetadata.KeyId, PolicyName: aws.String("default")})
	if err != nil {
		data.PolicyError = c.explained(ss, err)
	} else {
		data.Policy = indent(aws.ToString(pol.Policy))
	}
	if rot, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: d.KeyMetadata.KeyId}); err != nil {
		data.RotationError = c.explained(ss, err)
	} else {
		data.Rotation = rot.KeyRotationEnabled
	}
	p.Data = data
	c.render(w, http.StatusOK, "key", p)
}

// indent returns a JSON document indented for reading; a document that is not JSON as it is.
func indent(doc string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(doc), "", "  "); err != nil {
		return doc
	}
	return b.String()
}
