package kms

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// The ciphertext blob (format 1) names the key and the backing version that made it, so that
// Decrypt needs no KeyId; the canonical encryption context followed by the header is the AEAD's
// additional data:
//
//	0x01 | uint16 len | key ARN | uint32 version | 12-byte nonce | AES-256-GCM ciphertext and tag
const blobFormat = 1

var errBadBlob = errors.New("kms: malformed ciphertext blob")

// blob is a parsed ciphertext blob.
type blob struct {
	arn     string
	version uint32
	header  []byte // format, ARN and version: authenticated
	nonce   []byte
	sealed  []byte
}

// parseBlob reads a ciphertext blob without trusting any of it.
func parseBlob(b []byte) (*blob, error) {
	if len(b) < 3 || b[0] != blobFormat {
		return nil, errBadBlob
	}
	n := int(binary.BigEndian.Uint16(b[1:3]))
	rest := b[3:]
	if n == 0 || n > 256 || len(rest) < n+4+12+16 {
		return nil, errBadBlob
	}
	out := &blob{arn: string(rest[:n]), version: binary.BigEndian.Uint32(rest[n : n+4])}
	out.header = b[:3+n+4]
	out.nonce = rest[n+4 : n+4+12]
	out.sealed = rest[n+4+12:]
	return out, nil
}

// canonicalContext is an encryption context as additional data: pairs sorted by key, each
// length-prefixed, so that pair order does not matter and nothing is ambiguous.
func canonicalContext(ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	size := 3 + 256 + 4 // room for the blob header appended after it
	for k, v := range ec {
		keys = append(keys, k)
		size += 8 + len(k) + len(v)
	}
	sort.Strings(keys)
	b := make([]byte, 0, size)
	for _, k := range keys {
		b = binary.BigEndian.AppendUint32(b, uint32(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(ec[k])))
		b = append(b, ec[k]...)
	}
	return b
}

// seal encrypts plaintext under the key's current version, binding the encryption context.
func (s *Service) seal(k *loadedKey, plaintext []byte, ec map[string]string) ([]byte, error) {
	ver := k.current()
	aead := k.ciphers[ver.N]
	n := 3 + len(k.arn) + 4
	out := make([]byte, n+aead.NonceSize(), n+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = blobFormat
	binary.BigEndian.PutUint16(out[1:3], uint16(len(k.arn)))
	copy(out[3:], k.arn)
	binary.BigEndian.PutUint32(out[n-4:n], ver.N)
	nonce := out[n:]
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, err
	}
	aad := append(canonicalContext(ec), out[:n]...) // context first: one allocation
	return aead.Seal(out, nonce, plaintext, aad), nil
}

var errInvalidCiphertext = awserr.New(awserr.InvalidCiphertextException, "The ciphertext is invalid, was not made by this key, or its encryption context does not match the one it was encrypted with.")

// open decrypts a parsed blob with the key it names.
func open(k *loadedKey, b *blob, ec map[string]string) ([]byte, error) {
	aead, ok := k.ciphers[b.version]
	if !ok {
		return nil, errInvalidCiphertext
	}
	plain, err := aead.Open(nil, b.nonce, b.sealed, append(canonicalContext(ec), b.header...))
	if err != nil {
		return nil, errInvalidCiphertext
	}
	return plain, nil
}

// checkContext validates an encryption context (keys are non-empty; 8 KiB in all).
func checkContext(field string, ec map[string]string) error {
	size := 0
	for k, v := range ec {
		if k == "" {
			return invalidMessage(field + " keys must not be empty")
		}
		size += len(k) + len(v)
	}
	if size > 8192 {
		return invalidMessage(field + " is larger than 8192 bytes")
	}
	return nil
}

// contextKeys are the condition keys of a cryptographic request: its encryption context and
// the alias it named the key by, if any.
func contextKeys(ec map[string]string, id string) *conditionKeys {
	keys := &conditionKeys{ec: ec}
	if strings.HasPrefix(id, "alias/") {
		keys.alias[0] = id
	} else if _, _, name, ok := parseAliasARN(id); ok {
		keys.alias[0] = name
	}
	return keys
}

// cryptoKey resolves, authorizes and state-checks the key of a cryptographic operation.
func (s *Service) cryptoKey(ctx context.Context, action, field, id string, ec map[string]string, dry *bool) (*call, *loadedKey, error) {
	if err := checkContext("encryptionContext", ec); err != nil {
		return nil, nil, err
	}
	c, k, err := s.target(ctx, field, id, anyForm)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorizeCrypto(c, action, k, id, ec); err != nil {
		return nil, nil, err
	}
	if err := permitted(k, dry); err != nil {
		return nil, nil, err
	}
	return c, k, nil
}

// authorizeCrypto authorizes a cryptographic operation with its encryption context's condition
// keys and the key's grants for it.
func (s *Service) authorizeCrypto(c *call, action string, k *loadedKey, id string, ec map[string]string) error {
	return s.authorize(c, action, k, contextKeys(ec, id), k.grantsFor(action, ec))
}

func checkAlgorithm(alg string) error {
	if alg != "" && alg != "SYMMETRIC_DEFAULT" {
		return awserr.New(awserr.InvalidKeyUsageException, "The encryption algorithm %s is not valid for a SYMMETRIC_DEFAULT key.", alg)
	}
	return nil
}

// GenerateDataKey returns a data key in plaintext and encrypted under the KMS key, with the
// encryption context bound to the ciphertext. Errors: ValidationException, NotFoundException,
// DisabledException, KMSInvalidStateException, DryRunOperationException, AccessDeniedException.
func (s *Service) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (_ *GenerateDataKeyOutput, err error) {
	ctx, done := s.internal(ctx, "GenerateDataKey", in)
	defer done(&err)
	if in.Recipient != nil {
		return nil, awserr.New(awserr.UnsupportedOperationException, "Recipient (Nitro Enclaves attestation) is not supported by keytrail.")
	}
	ct, plain, err := s.generateDataKey(ctx, "GenerateDataKey", &in.GenerateDataKeyWithoutPlaintextInput)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{GenerateDataKeyWithoutPlaintextOutput: *ct, Plaintext: plain}, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey returning only the encrypted data key.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyWithoutPlaintextInput) (*GenerateDataKeyWithoutPlaintextOutput, error) {
	ct, _, err := s.generateDataKey(ctx, "GenerateDataKeyWithoutPlaintext", in)
	return ct, err
}

func (s *Service) generateDataKey(ctx context.Context, action string, in *GenerateDataKeyWithoutPlaintextInput) (*GenerateDataKeyWithoutPlaintextOutput, []byte, error) {
	size := 0
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "" || in.NumberOfBytes == nil && in.KeySpec == "":
		return nil, nil, awserr.New(awserr.ValidationException, "Please specify either number of bytes or key spec.")
	case in.NumberOfBytes != nil:
		if size = int(*in.NumberOfBytes); size < 1 || size > 1024 {
			return nil, nil, invalid("numberOfBytes", size, "Member must have value between 1 and 1024")
		}
	case in.KeySpec == "AES_256":
		size = 32
	case in.KeySpec == "AES_128":
		size = 16
	default:
		return nil, nil, invalid("keySpec", in.KeySpec, "Member must satisfy enum value set: [AES_256, AES_128]")
	}
	_, k, err := s.cryptoKey(ctx, action, "keyId", in.KeyID, in.EncryptionContext, in.DryRun)
	if err != nil {
		return nil, nil, err
	}
	dataKey := make([]byte, size)
	if _, err := io.ReadFull(s.rand, dataKey); err != nil {
		return nil, nil, err
	}
	ct, err := s.seal(k, dataKey, in.EncryptionContext)
	if err != nil {
		return nil, nil, err
	}
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: ct, KeyID: k.arn, KeyMaterialID: k.current().MaterialID}, dataKey, nil
}

// Encrypt encrypts up to 4096 bytes under a KMS key. Errors: ValidationException,
// NotFoundException, DisabledException, KMSInvalidStateException, InvalidKeyUsageException,
// DryRunOperationException, AccessDeniedException.
func (s *Service) Encrypt(ctx context.Context, in *EncryptInput) (*EncryptOutput, error) {
	if len(in.Plaintext) == 0 {
		return nil, missing("plaintext")
	}
	if len(in.Plaintext) > 4096 {
		return nil, invalid("plaintext", "<sensitive>", "Member must have length less than or equal to 4096")
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	_, k, err := s.cryptoKey(ctx, "Encrypt", "keyId", in.KeyID, in.EncryptionContext, in.DryRun)
	if err != nil {
		return nil, err
	}
	ct, err := s.seal(k, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: ct, KeyID: k.arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}

// blobKey returns the key a ciphertext blob names, checked against the KeyId of the request
// when there is one. Errors: InvalidCiphertextException, IncorrectKeyException, NotFoundException.
func (s *Service) blobKey(c *call, ct []byte, keyID string) (*blob, *loadedKey, error) {
	if len(ct) == 0 || len(ct) > 6144 {
		return nil, nil, invalidHidden("ciphertextBlob", "Member must have length between 1 and 6144")
	}
	b, err := parseBlob(ct)
	if err != nil {
		return nil, nil, errInvalidCiphertext
	}
	region, account, id, ok := parseKeyARN(b.arn)
	if !ok || region != c.region {
		return nil, nil, errInvalidCiphertext
	}
	k, err := s.key(c, account, region, id)
	if err != nil {
		return nil, nil, err
	}
	if k == nil {
		return nil, nil, errInvalidCiphertext
	}
	if keyID != "" {
		named, err := s.resolve(c, keyID, anyForm)
		if err != nil {
			return nil, nil, err
		}
		if named.arn != k.arn {
			return nil, nil, awserr.New(awserr.IncorrectKeyException, "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	return b, k, nil
}

// blobOp is the start of the operations that open a ciphertext blob (Decrypt, ReEncrypt): the
// context is checked, the blob's key found and checked against keyID, and action authorized.
func (s *Service) blobOp(ctx context.Context, action string, ct []byte, keyID string, ec map[string]string) (*call, *blob, *loadedKey, error) {
	if err := checkContext("encryptionContext", ec); err != nil {
		return nil, nil, nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	b, k, err := s.blobKey(c, ct, keyID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := s.authorizeCrypto(c, action, k, keyID, ec); err != nil {
		return nil, nil, nil, err
	}
	return c, b, k, nil
}

// permitted finishes an authorized cryptographic request: DryRun stops it here, and the key's
// state must allow cryptography.
func permitted(k *loadedKey, dry *bool) error {
	if err := dryRun(dry); err != nil {
		return err
	}
	return checkState(k, true)
}

// Decrypt decrypts a ciphertext blob made by Encrypt or GenerateDataKey*, with the encryption
// context it was made with; KeyId is optional. Errors: InvalidCiphertextException,
// IncorrectKeyException, NotFoundException, DisabledException, KMSInvalidStateException,
// InvalidKeyUsageException, DryRunOperationException, AccessDeniedException.
func (s *Service) Decrypt(ctx context.Context, in *DecryptInput) (_ *DecryptOutput, err error) {
	ctx, done := s.internal(ctx, "Decrypt", in)
	defer done(&err)
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, awserr.New(awserr.UnsupportedOperationException, "Recipient (Nitro Enclaves attestation) is not supported by keytrail.")
	}
	_, b, k, err := s.blobOp(ctx, "Decrypt", in.CiphertextBlob, in.KeyID, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := permitted(k, in.DryRun); err != nil {
		return nil, err
	}
	plain, err := open(k, b, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &DecryptOutput{KeyID: k.arn, Plaintext: plain, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", KeyMaterialID: k.materialID(b.version)}, nil
}

func (k *loadedKey) materialID(n uint32) string {
	for _, v := range k.rec.Versions {
		if v.N == n {
			return v.MaterialID
		}
	}
	return ""
}

// ReEncrypt decrypts a ciphertext and encrypts its plaintext under another key (or the same),
// without exposing it: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination.
// Errors: as Decrypt and Encrypt.
func (s *Service) ReEncrypt(ctx context.Context, in *ReEncryptInput) (*ReEncryptOutput, error) {
	for _, alg := range []string{in.SourceEncryptionAlgorithm, in.DestinationEncryptionAlgorithm} {
		if err := checkAlgorithm(alg); err != nil {
			return nil, err
		}
	}
	_, b, src, err := s.blobOp(ctx, "ReEncryptFrom", in.CiphertextBlob, in.SourceKeyID, in.SourceEncryptionContext)
	if err != nil {
		return nil, err
	}
	_, dst, err := s.cryptoKey(ctx, "ReEncryptTo", "destinationKeyId", in.DestinationKeyID, in.DestinationEncryptionContext, in.DryRun)
	if err != nil {
		return nil, err
	}
	if err := checkState(src, true); err != nil {
		return nil, err
	}
	plain, err := open(src, b, in.SourceEncryptionContext)
	if err != nil {
		return nil, err
	}
	ct, err := s.seal(dst, plain, in.DestinationEncryptionContext)
	if err != nil {
		return nil, err
	}
	return &ReEncryptOutput{CiphertextBlob: ct, SourceKeyID: src.arn, KeyID: dst.arn,
		SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT", DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}

// GenerateRandom returns 1–1024 random bytes. Authorized by identity policies.
// Errors: ValidationException, AccessDeniedException.
func (s *Service) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	if in.NumberOfBytes == nil || *in.NumberOfBytes < 1 || *in.NumberOfBytes > 1024 {
		return nil, invalidHidden("numberOfBytes", "Member must have value between 1 and 1024")
	}
	if in.CustomKeyStoreID != "" || in.Recipient != nil {
		return nil, awserr.New(awserr.UnsupportedOperationException, "Custom key stores and Recipient are not supported by keytrail.")
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeIdentity(c, "GenerateRandom", nil); err != nil {
		return nil, err
	}
	out := make([]byte, *in.NumberOfBytes)
	if _, err := io.ReadFull(s.rand, out); err != nil {
		return nil, err
	}
	return &GenerateRandomOutput{Plaintext: out}, nil
}
