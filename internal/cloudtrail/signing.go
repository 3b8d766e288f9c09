package cloudtrail

import (
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/store"
)

// signingKeys are the regions' digest signing keys:
// <region>/<validity start, Unix seconds, 20 digits> → signingKeyRecord.
var signingKeys = store.Table[signingKeyRecord]{Name: "cloudtrail.signing-keys"}

const (
	// signingKeyLifetime is how long a region's digest signing key signs before the next one
	// takes over; its public key stays listed for its validity.
	signingKeyLifetime = 30 * 24 * time.Hour
	signatureAlgorithm = "SHA256withRSA"
)

// signingKeyRecord is a region's RSA-2048 digest signing key (format version 1).
type signingKeyRecord struct {
	store.Version
	Region      string    `json:"region"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Public      []byte    `json:"public"`  // DER PKCS#1 RSAPublicKey
	Private     []byte    `json:"private"` // DER PKCS#1 private key, sealed
	Fingerprint string    `json:"fingerprint"`
}

// signingKey is an unsealed signing key.
type signingKey struct {
	rec  signingKeyRecord
	priv *rsa.PrivateKey
}

func signingKeyStoreKey(region string, start time.Time) string {
	return fmt.Sprintf("%s/%020d", region, start.Unix())
}

func signingKeyPurpose(region string, start time.Time) string {
	return "cloudtrail digest signing key " + signingKeyStoreKey(region, start)
}

// Fingerprint is a public key's fingerprint: hex MD5 of its DER PKCS#1 encoding. AWS does not
// document how it computes fingerprints; its are 32 hex digits, as this is
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-custom-validation.html).
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	return hex.EncodeToString(sum[:])
}

// currentKey returns the region's signing key for now, making the next one when the current
// one's time is over.
func (s *Service) currentKey(ctx context.Context, region string, now time.Time) (*signingKey, error) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if k := s.keys[region]; k != nil && now.Before(k.rec.End) && !now.Before(k.rec.Start) {
		return k, nil
	}
	var latest *signingKeyRecord
	err := s.db.View(ctx, func(tx store.Tx) error {
		return signingKeys.Scan(tx, region+"/", "", func(_ string, r *signingKeyRecord) error {
			latest = r
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if latest == nil || !now.Before(latest.End) {
		if latest, err = s.newSigningKey(ctx, region, now); err != nil {
			return nil, err
		}
	}
	der, err := s.barrier.Open(latest.Private, signingKeyPurpose(region, latest.Start))
	if err != nil {
		return nil, fmt.Errorf("cloudtrail: open signing key: %w", err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("cloudtrail: signing key: %w", err)
	}
	k := &signingKey{rec: *latest, priv: priv}
	s.keys[region] = k
	return k, nil
}

func (s *Service) newSigningKey(ctx context.Context, region string, now time.Time) (*signingKeyRecord, error) {
	// Since Go 1.26 crypto/rsa draws key material from crypto/rand whatever reader it is given
	// (tests make it deterministic with testing/cryptotest.SetGlobalRandom).
	priv, err := rsa.GenerateKey(s.rand, 2048)
	if err != nil {
		return nil, err
	}
	start := now.UTC().Truncate(time.Second)
	pub := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	der := x509.MarshalPKCS1PrivateKey(priv)
	sealed, err := s.barrier.Seal(der, signingKeyPurpose(region, start))
	clear(der)
	if err != nil {
		return nil, err
	}
	rec := &signingKeyRecord{Region: region, Start: start, End: start.Add(signingKeyLifetime), Public: pub, Private: sealed, Fingerprint: Fingerprint(pub)}
	return rec, s.db.Update(ctx, func(tx store.Tx) error { return signingKeys.Put(tx, signingKeyStoreKey(region, start), rec) })
}

// DataToSign is what a digest's signature signs (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html): its end time as in the JSON, its bucket
// and key, the hex SHA-256 of its uncompressed bytes, and the previous digest's signature or
// "null", joined by newlines.
func DataToSign(endTime, bucket, key string, digest []byte, previousSignature *string) []byte {
	sum := sha256.Sum256(digest)
	prev := "null"
	if previousSignature != nil {
		prev = *previousSignature
	}
	return []byte(endTime + "\n" + bucket + "/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev)
}

// sign signs data with SHA256withRSA (PKCS#1 v1.5); the signature in hex.
func (k *signingKey) sign(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, sum[:]) // deterministic: no randomness

	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sig), nil
}

// SignWithRegionKey signs data as the region's digest signing key at now does (SHA256withRSA,
// hex), for CloudTrail Lake's sign files of saved query results, which the same keys sign
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-custom-validation.html);
// it returns the signature and the key's fingerprint.
func (s *Service) SignWithRegionKey(ctx context.Context, region string, now time.Time, data []byte) (signature, fingerprint string, err error) {
	k, err := s.currentKey(ctx, region, now)
	if err != nil {
		return "", "", err
	}
	if signature, err = k.sign(data); err != nil {
		return "", "", err
	}
	return signature, k.rec.Fingerprint, nil
}

// ListPublicKeysInput is ListPublicKeys' request.
type ListPublicKeysInput struct {
	StartTime *awsjson.Time `json:"StartTime"`
	EndTime   *awsjson.Time `json:"EndTime"`
	NextToken string        `json:"NextToken"`
}

// PublicKey is an entry of ListPublicKeys.
type PublicKey struct {
	Value             []byte        `json:"Value"`
	ValidityStartTime *awsjson.Time `json:"ValidityStartTime"`
	ValidityEndTime   *awsjson.Time `json:"ValidityEndTime"`
	Fingerprint       string        `json:"Fingerprint"`
}

// ListPublicKeysOutput is ListPublicKeys' response.
type ListPublicKeysOutput struct {
	PublicKeyList []PublicKey `json:"PublicKeyList"`
	NextToken     string      `json:"NextToken,omitempty"`
}

const (
	invalidToken awserr.Code = "InvalidTokenException"
)

// ListPublicKeys returns the region's digest signing public keys whose validity overlaps the
// range (both ends default to now), in one page. Authorized by identity policies
// (cloudtrail:ListPublicKeys). Errors: InvalidTimeRangeException, InvalidTokenException,
// AccessDeniedException.
func (s *Service) ListPublicKeys(ctx context.Context, in *ListPublicKeysInput) (*ListPublicKeysOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	start, end := now, now
	if in.StartTime != nil {
		start = time.Time(*in.StartTime)
	}
	if in.EndTime != nil {
		end = time.Time(*in.EndTime)
	}
	if start.After(end) {
		return nil, awserr.New(invalidTimeRange, "Start time must be before end time.")
	}
	if in.NextToken != "" {
		return nil, awserr.New(invalidToken, "Invalid token.")
	}
	if err := s.authorize(c, "ListPublicKeys", "*"); err != nil {
		return nil, err
	}
	out := &ListPublicKeysOutput{PublicKeyList: []PublicKey{}}
	err = s.db.View(ctx, func(tx store.Tx) error {
		return signingKeys.Scan(tx, c.Region+"/", "", func(_ string, r *signingKeyRecord) error {
			if r.Start.After(end) || !r.End.After(start) {
				return nil
			}
			out.PublicKeyList = append(out.PublicKeyList, PublicKey{Value: r.Public, ValidityStartTime: awsjson.NewTime(r.Start),
				ValidityEndTime: awsjson.NewTime(r.End), Fingerprint: r.Fingerprint})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
