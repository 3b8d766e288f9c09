package sigv4

import (
	"context"
	"testing"
)

// BenchmarkVerifyKMSRequest measures verifying a typical KMS request (Authorization header, four
// signed headers, a precomputed body hash), with the derived signing key cached after the first.
func BenchmarkVerifyKMSRequest(b *testing.B) {
	body := `{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","Plaintext":"aGVsbG8="}`
	r := signKMS(b, body, testAccount, "", fixedNow, nil)
	payload := BodyHash([]byte(body))
	v := newVerifier()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a, err := ParseRequest(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Verify(ctx, r, a, payload); err != nil {
			b.Fatal(err)
		}
	}
}
