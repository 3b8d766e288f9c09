package cloudtrail_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// SignWithRegionKey signs CloudTrail Lake's sign files with the Region's signing key: the
// signature verifies with the public key ListPublicKeys lists under the fingerprint returned
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-custom-validation.html),
// the key is the one the trails' digests use, and each Region has its own.
func TestSignWithRegionKey(t *testing.T) {
	tw := newTrailWorld(t)
	data := []byte("de85a48b8a363033c891abd723181243620a3af3b6505f0a44db77e147e9c188 00")
	sig, fp, err := tw.CT.SignWithRegionKey(context.Background(), "us-east-1", tw.Clock.Now(), data)
	if err != nil {
		t.Fatal(err)
	}
	keys := servicetest.Call(tw.root, tw.CT.ListPublicKeys, &ct.ListPublicKeysInput{}).OK().PublicKeyList
	if len(keys) != 1 || keys[0].Fingerprint != fp {
		t.Fatalf("ListPublicKeys = %+v, fingerprint %s", keys, fp)
	}
	pub, err := x509.ParsePKCS1PublicKey(keys[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], raw); err != nil {
		t.Fatalf("signature: %v", err)
	}
	sum = sha256.Sum256(append(data, '1'))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], raw) == nil {
		t.Fatal("the signature verifies other data")
	}
	if _, again, err := tw.CT.SignWithRegionKey(context.Background(), "us-east-1", tw.Clock.Now(), data); err != nil || again != fp {
		t.Fatalf("a second signature: key %s, %v; want %s", again, err, fp)
	}
	if _, eu, err := tw.CT.SignWithRegionKey(context.Background(), "eu-west-1", tw.Clock.Now(), data); err != nil || eu == fp {
		t.Fatalf("eu-west-1's key = %s, %v; want a key of its own", eu, err)
	}
}
