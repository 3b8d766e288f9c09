package kms_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
)

// TestCodecsMatchReflection: the cryptographic operations' hand-written request decoders and
// response encoders read and write exactly what encoding/json does with the same types, so
// skipping reflection on the hot path changes nothing on the wire.
func TestCodecsMatchReflection(t *testing.T) {
	requests := []struct {
		name string
		body string
		new  func() awsjson.Decoder
	}{
		{"GenerateDataKey", `{"KeyId":"alias/logs","EncryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111111111111:trail/management"},` +
			`"NumberOfBytes":32,"GrantTokens":["t1","t2"],"DryRun":false,"Recipient":{"AttestationDocument":"AA=="},"Unknown":[1,{"a":null}]}`,
			func() awsjson.Decoder { return new(kms.GenerateDataKeyInput) }},
		{"GenerateDataKey without Recipient", `{"KeyId":"k","KeySpec":"AES_256","Recipient":null}`,
			func() awsjson.Decoder { return new(kms.GenerateDataKeyInput) }},
		{"GenerateDataKeyWithoutPlaintext", `{"KeyId":"k","KeySpec":"AES_128","EncryptionContext":{},"DryRun":true,"Extra":"x"}`,
			func() awsjson.Decoder { return new(kms.GenerateDataKeyWithoutPlaintextInput) }},
		{"Encrypt", `{"KeyId":"k","Plaintext":"aGVsbG8=","EncryptionContext":{"a":"b"},"GrantTokens":[],"EncryptionAlgorithm":"SYMMETRIC_DEFAULT","DryRun":true,"Other":1.5}`,
			func() awsjson.Decoder { return new(kms.EncryptInput) }},
		{"Decrypt", `{"CiphertextBlob":"AQID","EncryptionContext":{"a":"b"},"GrantTokens":["g"],"KeyId":"k","EncryptionAlgorithm":"SYMMETRIC_DEFAULT",` +
			`"Recipient":{"KeyEncryptionAlgorithm":"RSAES_OAEP_SHA_256"},"DryRun":false,"Skipped":true}`,
			func() awsjson.Decoder { return new(kms.DecryptInput) }},
	}
	for _, r := range requests {
		got, want := r.new(), r.new()
		if err := awsjson.Decode([]byte(r.body), got); err != nil {
			t.Fatalf("%s: decode: %v", r.name, err)
		}
		if err := json.Unmarshal([]byte(r.body), want); err != nil {
			t.Fatalf("%s: encoding/json: %v", r.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded %+v; encoding/json reads %+v", r.name, got, want)
		}
	}
	// A member of the wrong type is an error, as it is for encoding/json.
	if err := awsjson.Decode([]byte(`{"NumberOfBytes":"32"}`), new(kms.GenerateDataKeyWithoutPlaintextInput)); err == nil {
		t.Error("a string NumberOfBytes decoded")
	}

	ct := kms.GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: []byte{1, 2, 3}, KeyID: "arn:aws:kms:us-east-1:111111111111:key/k", KeyMaterialID: "m"}
	responses := []awsjson.Encoder{
		&ct,
		&kms.GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: []byte{4}, KeyID: "k"},
		&kms.GenerateDataKeyOutput{GenerateDataKeyWithoutPlaintextOutput: ct, Plaintext: []byte("data key")},
		&kms.EncryptOutput{CiphertextBlob: []byte{5, 6}, KeyID: "k", EncryptionAlgorithm: "SYMMETRIC_DEFAULT"},
		&kms.DecryptOutput{KeyID: "k", Plaintext: []byte("plain\"text<>"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", KeyMaterialID: "m"},
		&kms.DecryptOutput{KeyID: "k", Plaintext: []byte{}, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"},
	}
	for _, r := range responses {
		got := r.AppendJSON(nil)
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%T wrote invalid JSON %s: %v", r, got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%T wrote %s; encoding/json writes %s", r, got, want)
		}
	}
}
