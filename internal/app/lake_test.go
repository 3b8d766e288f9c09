package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// The seed's key policy for an event data store: the account's root, and CloudTrail's
// GenerateDataKey and Decrypt with no condition
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
func storeKeyPolicy(account string, cloudTrail bool) string {
	doc := `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM user permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}`
	if cloudTrail {
		doc += `,
 {"Sid":"Allow CloudTrail to encrypt event data store","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}`
	}
	return doc + `]}`
}

// Event data stores through the Go SDK (the CloudTrail_20131101 target prefix): created with a
// key whose policy lacks CloudTrail's statement → InsufficientEncryptionPolicyException; with it
// → CREATED then ENABLED; tagged through CloudTrail's tag operations; the wire's validation; and
// the KMS calls CloudTrail made for the check recorded as CloudTrail events, invoked by
// CloudTrail, as the caller and as cloudtrail.amazonaws.com.
func TestLakeEventDataStores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := startInBubble(t, t.TempDir(), nil)
		ctx := context.Background()
		ct := e.cloudtrail(account, rootSecret, "us-east-1")
		k := e.rootKMS()
		bad := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(storeKeyPolicy(account, false))}))(t).KeyMetadata
		good := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(storeKeyPolicy(account, true))}))(t).KeyMetadata

		_, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit"), KmsKeyId: bad.KeyId})
		wantCode(t, err, "InsufficientEncryptionPolicyException")
		out := must(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit"), KmsKeyId: good.KeyId,
			TagsList: []cttypes.Tag{{Key: aws.String("team"), Value: aws.String("security")}}}))(t)
		if out.Status != cttypes.EventDataStoreStatusCreated || aws.ToString(out.KmsKeyId) != aws.ToString(good.Arn) ||
			!aws.ToBool(out.MultiRegionEnabled) || !aws.ToBool(out.TerminationProtectionEnabled) || aws.ToInt32(out.RetentionPeriod) != 366 ||
			out.BillingMode != cttypes.BillingModeExtendableRetentionPricing || len(out.AdvancedEventSelectors) != 1 {
			t.Errorf("CreateEventDataStore answered %+v", out)
		}
		got := must(ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: out.EventDataStoreArn}))(t)
		if got.Status != cttypes.EventDataStoreStatusEnabled || got.CreatedTimestamp == nil {
			t.Errorf("GetEventDataStore answered %+v", got)
		}
		list := must(ct.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}))(t)
		if len(list.EventDataStores) != 1 || aws.ToString(list.EventDataStores[0].EventDataStoreArn) != aws.ToString(out.EventDataStoreArn) {
			t.Errorf("ListEventDataStores answered %+v", list.EventDataStores)
		}
		tags := must(ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{aws.ToString(out.EventDataStoreArn)}}))(t)
		if len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || aws.ToString(tags.ResourceTagList[0].TagsList[0].Key) != "team" {
			t.Errorf("ListTags answered %+v", tags.ResourceTagList)
		}
		_, err = ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: out.EventDataStoreArn})
		wantCode(t, err, "EventDataStoreTerminationProtectedException")
		// The model's constraints, on the wire.
		_, err = ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("a b")})
		if err == nil {
			t.Error("a store named \"a b\" was created")
		}

		// The KMS calls of the successful check: the caller's and CloudTrail's.
		cut := time.Now()
		time.Sleep(time.Millisecond)
		events := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EndTime: &cut, LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: good.Arn}}}))(t).Events
		type who struct{ name, identity, invokedBy string }
		seen := map[who]int{}
		for _, ev := range events {
			var rec record
			if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
				t.Fatal(err)
			}
			id, _ := rec["userIdentity"].(map[string]any)
			typ, _ := id["type"].(string)
			invokedBy, _ := id["invokedBy"].(string)
			if invokedBy == "" {
				invokedBy, _ = rec["sourceIPAddress"].(string)
			}
			seen[who{aws.ToString(ev.EventName), typ, invokedBy}]++
		}
		for _, w := range []who{
			{"GenerateDataKey", "Root", "cloudtrail.amazonaws.com"},
			{"Decrypt", "Root", "cloudtrail.amazonaws.com"},
			{"GenerateDataKey", "AWSService", "cloudtrail.amazonaws.com"},
			{"Decrypt", "AWSService", "cloudtrail.amazonaws.com"},
		} {
			if seen[w] != 1 {
				t.Errorf("%d %s events by %s invoked by %s, want 1 (all: %v)", seen[w], w.name, w.identity, w.invokedBy, seen)
			}
		}
	})
}
