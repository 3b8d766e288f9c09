package cloudtrail

import (
	"context"
	"time"
)

// SetAfterWrite lets a test stop a delivery between writing its files and recording that it did,
// as a crash would.
func SetAfterWrite(s *Service, f func() error) { s.afterWrite = f }

// SigningKeyFingerprint is the fingerprint of the key that signs region's digests at now.
func SigningKeyFingerprint(s *Service, region string, now time.Time) (string, error) {
	k, err := s.currentKey(context.Background(), region, now)
	if err != nil {
		return "", err
	}
	return k.rec.Fingerprint, nil
}
