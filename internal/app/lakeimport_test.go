package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/events"
)

// A trail's delivered log files copied into an event data store through the Go SDK: StartImport
// answers INITIALIZING, two flushes take the import through IN_PROGRESS to COMPLETED, the store
// holds the trail's events, and S3 read the SSE-KMS files with KMS Decrypt as the import role's
// session (recorded, invoked by S3).
func TestLakeImportsTrailLogFiles(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	keyARN := setupTrail(t, e)
	k := e.rootKMS()
	must(k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyARN), Plaintext: []byte("x"), EncryptionContext: map[string]string{"note": "imported"}}))(t)
	if sum := e.flush(); sum.LogFiles != 1 {
		t.Fatalf("flush = %+v", sum)
	}
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	store := aws.ToString(must(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("copy"), StartIngestion: aws.Bool(false)}))(t).EventDataStoreArn)
	cond := `"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `","aws:SourceArn":"` + store + `"}}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole",` + cond + `}]}`
	perms := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketAcl"],"Resource":"arn:aws:s3:::trail-logs",` + cond + `},
 {"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::trail-logs/AWSLogs","arn:aws:s3:::trail-logs/AWSLogs/*"],` + cond + `},
 {"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"` + keyARN + `"}]}`
	ic := e.rootIAM()
	role := aws.ToString(must(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("import"), AssumeRolePolicyDocument: aws.String(trust)}))(t).Role.Arn)
	must(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("import"), PolicyName: aws.String("copy"), PolicyDocument: aws.String(perms)}))(t)

	started := must(ct.StartImport(ctx, &cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: &cttypes.ImportSource{S3: &cttypes.S3ImportSource{
		S3LocationUri: aws.String("s3://trail-logs/AWSLogs/"), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(role)}}}))(t)
	if started.ImportStatus != cttypes.ImportStatusInitializing || started.CreatedTimestamp == nil {
		t.Fatalf("StartImport = %+v", started)
	}
	e.flush()
	if got := must(ct.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: started.ImportId}))(t); got.ImportStatus != cttypes.ImportStatusInProgress {
		t.Fatalf("after one flush the import is %s", got.ImportStatus)
	}
	e.flush()
	got := must(ct.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: started.ImportId}))(t)
	if got.ImportStatus != cttypes.ImportStatusCompleted || aws.ToInt64(got.ImportStatistics.FilesCompleted) != 1 || aws.ToInt64(got.ImportStatistics.EventsCompleted) == 0 {
		t.Fatalf("GetImport = %s %+v", got.ImportStatus, got.ImportStatistics)
	}
	list := must(ct.ListImports(ctx, &cloudtrail.ListImportsInput{Destination: aws.String(store)}))(t)
	if len(list.Imports) != 1 || aws.ToString(list.Imports[0].ImportId) != aws.ToString(started.ImportId) {
		t.Fatalf("ListImports = %+v", list.Imports)
	}
	encrypts := 0
	for _, r := range e.storeRecords(store) {
		if r["eventName"] == "Encrypt" {
			encrypts++
		}
	}
	if encrypts != 1 {
		t.Fatalf("the store holds %d Encrypt records; want the trail's one", encrypts)
	}
	found := false
	err := e.app.Journal.Scan(0, e.app.Journal.Next(), func(ev *events.Event) error {
		if ev.Name == "Decrypt" && ev.Identity.InvokedBy == "s3.amazonaws.com" && strings.Contains(ev.Identity.ARN, ":assumed-role/import/") {
			found = true
		}
		return nil
	})
	if err != nil || !found {
		t.Fatalf("no Decrypt of the log files as the import role's session in the journal (%v)", err)
	}
}
