package iam_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store"
)

// TestPaging: every List operation pages by MaxItems, IsTruncated and the Marker of the last item
// returned, and the pages together are the whole list.
func TestPaging(t *testing.T) {
	w := servicetest.New(t)
	s, root := w.IAM, w.As(w.Root(acct))
	for i := range 5 {
		n := fmt.Sprintf("u%d", i)
		servicetest.Call(root, s.CreateUser, &iam.CreateUserInput{UserName: n}).OK()
		servicetest.Call(root, s.CreateRole, &iam.CreateRoleInput{RoleName: "r" + n, AssumeRolePolicyDocument: trustAcct}).OK()
		servicetest.Call(root, s.CreateGroup, &iam.CreateGroupInput{GroupName: "g" + n}).OK()
		servicetest.Call(root, s.AddUserToGroup, &iam.GroupMembershipInput{GroupName: "g" + n, UserName: "u0"}).OK()
		servicetest.Call(root, s.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: "ru0", PolicyName: "p" + n, PolicyDocument: kmsDecrypt}).OK()
	}
	// Each lister returns one page's names and page state.
	type pageFn func(ctx context.Context, pg iam.Paging) ([]string, iam.PageInfo, error)
	for _, c := range []struct {
		name string
		list pageFn
		want string
	}{
		{"ListUsers", func(ctx context.Context, pg iam.Paging) ([]string, iam.PageInfo, error) {
			out, err := s.ListUsers(ctx, &iam.ListUsersInput{Paging: pg})
			if err != nil {
				return nil, iam.PageInfo{}, err
			}
			return strings.Split(names(out.Users, userName), ","), out.PageInfo, nil
		}, "u0,u1,u2,u3,u4"},
		{"ListRoles", func(ctx context.Context, pg iam.Paging) ([]string, iam.PageInfo, error) {
			out, err := s.ListRoles(ctx, &iam.ListRolesInput{Paging: pg})
			if err != nil {
				return nil, iam.PageInfo{}, err
			}
			return strings.Split(names(out.Roles, roleName), ","), out.PageInfo, nil
		}, "ru0,ru1,ru2,ru3,ru4"},
		{"ListGroups", func(ctx context.Context, pg iam.Paging) ([]string, iam.PageInfo, error) {
			out, err := s.ListGroups(ctx, &iam.ListGroupsInput{Paging: pg})
			if err != nil {
				return nil, iam.PageInfo{}, err
			}
			return strings.Split(names(out.Groups, groupName), ","), out.PageInfo, nil
		}, "gu0,gu1,gu2,gu3,gu4"},
		{"ListGroupsForUser", func(ctx context.Context, pg iam.Paging) ([]string, iam.PageInfo, error) {
			out, err := s.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: "u0", Paging: pg})
			if err != nil {
				return nil, iam.PageInfo{}, err
			}
			return strings.Split(names(out.Groups, groupName), ","), out.PageInfo, nil
		}, "gu0,gu1,gu2,gu3,gu4"},
		{"ListRolePolicies", func(ctx context.Context, pg iam.Paging) ([]string, iam.PageInfo, error) {
			out, err := s.ListRolePolicies(ctx, &iam.HolderPaging{RoleName: "ru0", Paging: pg})
			if err != nil {
				return nil, iam.PageInfo{}, err
			}
			return out.PolicyNames, out.PageInfo, nil
		}, "pu0,pu1,pu2,pu3,pu4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, size := range []int32{1, 2, 4, 5, 1000} {
				var all []string
				pg := iam.Paging{MaxItems: i32(size)}
				for pages := 1; ; pages++ {
					items, info, err := c.list(root.Context(), pg)
					if err != nil {
						t.Fatal(err)
					}
					if len(items) > int(size) {
						t.Fatalf("MaxItems %d: a page of %d", size, len(items))
					}
					all = append(all, items...)
					if !info.IsTruncated {
						if info.Marker != "" {
							t.Fatalf("MaxItems %d: the last page has the marker %q", size, info.Marker)
						}
						break
					}
					if info.Marker == "" || pages > 5 {
						t.Fatalf("MaxItems %d: page %d is truncated with the marker %q", size, pages, info.Marker)
					}
					pg.Marker = info.Marker
				}
				if got := strings.Join(all, ","); got != c.want {
					t.Fatalf("MaxItems %d: the pages hold %s; want %s", size, got, c.want)
				}
			}
		})
	}
}

// TestRecords: the stored JSON of each record is what it was before store.Table wrote it: the
// format version first, then the fields in their order.
func TestRecords(t *testing.T) {
	w := servicetest.New(t)
	root := w.As(w.Root(acct))
	created := w.Clock.Now().Format("2006-01-02T15:04:05Z")
	if err := w.IAM.EnsureAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	u := servicetest.Call(root, w.IAM.CreateUser, &iam.CreateUserInput{UserName: "Bob", Tags: []iam.Tag{{Key: "k", Value: "v"}}}).OK().User
	key := servicetest.Call(root, w.IAM.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "Bob"}).OK().AccessKey
	p := servicetest.Call(root, w.IAM.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "P", PolicyDocument: kmsDecrypt}).OK().Policy
	servicetest.Call(root, w.IAM.CreateGroup, &iam.CreateGroupInput{GroupName: "G"}).OK()
	servicetest.Call(root, w.IAM.AddUserToGroup, &iam.GroupMembershipInput{GroupName: "G", UserName: "Bob"}).OK()
	servicetest.Call(root, w.IAM.AttachGroupPolicy, &iam.AttachInput{GroupName: "G", PolicyArn: p.Arn}).OK()
	for _, c := range []struct{ table, key, prefix, suffix string }{
		{"accounts", acct, `{"v":1,"id":"111111111111","created":"` + created + `"}`, ""},
		{"iam.users", acct + "/bob", `{"v":1,"kind":"user","account":"111111111111","name":"Bob","path":"/","id":"` + u.UserID +
			`","created":"` + created + `","tags":[{"key":"k","value":"v"}]}`, ""},
		{"iam.groups", acct + "/g", `{"v":1,"kind":"group","account":"111111111111","name":"G","path":"/","id":"`,
			`","created":"` + created + `","attached":["` + p.Arn + `"],"members":["Bob"]}`},
		{"iam.access-keys", key.AccessKeyID, `{"v":1,"id":"` + key.AccessKeyID + `","account":"111111111111","user":"Bob","secret":"`,
			`","status":"Active","created":"` + created + `"}`},
		{"iam.policies", acct + "/p", `{"v":1,"account":"111111111111","name":"P","path":"/","id":"` + p.PolicyID + `","created":"` + created +
			`","updated":"` + created + `","versions":[{"id":"v1","document":` + fmt.Sprintf("%q", kmsDecrypt) + `,"created":"` + created +
			`"}],"default":"v1","attachments":1}`, ""},
	} {
		var raw []byte
		if err := w.DB.View(context.Background(), func(tx store.Tx) (err error) {
			raw, err = tx.Get(c.table, c.key)
			return err
		}); err != nil {
			t.Fatalf("%s %s: %v", c.table, c.key, err)
		}
		if got := string(raw); !strings.HasPrefix(got, c.prefix) || !strings.HasSuffix(got, c.suffix) {
			t.Errorf("%s %s is\n%s\nwant\n%s…%s", c.table, c.key, got, c.prefix, c.suffix)
		}
	}
}
