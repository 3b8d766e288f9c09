package kms

import "github.com/keytrail/keytrail/internal/protocol/awsjson"

// The cryptographic operations decode their requests without reflection (awsjson.Decoder): they
// are the calls made per log file and per object.

// decodeObject decodes a request object by member: each member that member does not know is skipped.
func decodeObject(s *awsjson.Scanner, member func(name string) (bool, error)) error {
	return s.Object(func(name string) error {
		if ok, err := member(name); ok {
			return err
		}
		return s.Skip()
	})
}

// common decodes the members every cryptographic request has (KeyId, EncryptionContext,
// GrantTokens, DryRun) into the request's fields; it reports whether name is one of them.
type common struct {
	keyID   *string
	context *map[string]string
	grants  *[]string
	dryRun  **bool
}

func (c common) member(s *awsjson.Scanner, name string) (bool, error) {
	switch name {
	case "KeyId":
		return true, s.String(name, c.keyID)
	case "EncryptionContext":
		return true, s.StringMap(name, c.context)
	case "GrantTokens":
		return true, s.StringList(name, c.grants)
	case "DryRun":
		return true, s.Bool(name, c.dryRun)
	}
	return false, nil
}

// recipient decodes Recipient, which keytrail refuses whatever it holds: present (not null) is all
// that is kept.
func recipient(s *awsjson.Scanner, dst **struct{}) error {
	present, err := s.Present()
	if present {
		*dst = &struct{}{}
	}
	return err
}

func (in *GenerateDataKeyWithoutPlaintextInput) member(s *awsjson.Scanner, name string) (bool, error) {
	switch name {
	case "NumberOfBytes":
		return true, s.Int32(name, &in.NumberOfBytes)
	case "KeySpec":
		return true, s.String(name, &in.KeySpec)
	}
	return common{&in.KeyID, &in.EncryptionContext, &in.GrantTokens, &in.DryRun}.member(s, name)
}

// DecodeJSON implements awsjson.Decoder.
func (in *GenerateDataKeyWithoutPlaintextInput) DecodeJSON(s *awsjson.Scanner) error {
	return decodeObject(s, func(name string) (bool, error) { return in.member(s, name) })
}

// DecodeJSON implements awsjson.Decoder.
func (in *GenerateDataKeyInput) DecodeJSON(s *awsjson.Scanner) error {
	return decodeObject(s, func(name string) (bool, error) {
		if name == "Recipient" {
			return true, recipient(s, &in.Recipient)
		}
		return in.member(s, name)
	})
}

// DecodeJSON implements awsjson.Decoder.
func (in *EncryptInput) DecodeJSON(s *awsjson.Scanner) error {
	return decodeObject(s, func(name string) (bool, error) {
		switch name {
		case "Plaintext":
			return true, s.Bytes(name, &in.Plaintext)
		case "EncryptionAlgorithm":
			return true, s.String(name, &in.EncryptionAlgorithm)
		}
		return common{&in.KeyID, &in.EncryptionContext, &in.GrantTokens, &in.DryRun}.member(s, name)
	})
}

// DecodeJSON implements awsjson.Decoder.
func (in *DecryptInput) DecodeJSON(s *awsjson.Scanner) error {
	return decodeObject(s, func(name string) (bool, error) {
		switch name {
		case "CiphertextBlob":
			return true, s.Bytes(name, &in.CiphertextBlob)
		case "EncryptionAlgorithm":
			return true, s.String(name, &in.EncryptionAlgorithm)
		case "Recipient":
			return true, recipient(s, &in.Recipient)
		}
		return common{&in.KeyID, &in.EncryptionContext, &in.GrantTokens, &in.DryRun}.member(s, name)
	})
}

// AppendJSON implements awsjson.Encoder.
func (o *GenerateDataKeyWithoutPlaintextOutput) AppendJSON(b []byte) []byte {
	return o.members(awsjson.NewObject(b)).End()
}

func (o *GenerateDataKeyWithoutPlaintextOutput) members(obj *awsjson.Object) *awsjson.Object {
	return obj.Bytes("CiphertextBlob", o.CiphertextBlob).String("KeyId", o.KeyID, false).String("KeyMaterialId", o.KeyMaterialID, true)
}

// AppendJSON implements awsjson.Encoder.
func (o *GenerateDataKeyOutput) AppendJSON(b []byte) []byte {
	return o.members(awsjson.NewObject(b)).Bytes("Plaintext", o.Plaintext).End()
}

// AppendJSON implements awsjson.Encoder.
func (o *EncryptOutput) AppendJSON(b []byte) []byte {
	return awsjson.NewObject(b).Bytes("CiphertextBlob", o.CiphertextBlob).String("KeyId", o.KeyID, false).
		String("EncryptionAlgorithm", o.EncryptionAlgorithm, false).End()
}

// AppendJSON implements awsjson.Encoder.
func (o *DecryptOutput) AppendJSON(b []byte) []byte {
	return awsjson.NewObject(b).String("KeyId", o.KeyID, false).Bytes("Plaintext", o.Plaintext).
		String("EncryptionAlgorithm", o.EncryptionAlgorithm, false).String("KeyMaterialId", o.KeyMaterialID, true).End()
}
