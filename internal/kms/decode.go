package kms

import "github.com/keytrail/keytrail/internal/protocol/awsjson"

// The cryptographic operations decode their requests without reflection (awsjson.Decoder): they
// are the calls made per log file and per object.

func (in *GenerateDataKeyWithoutPlaintextInput) member(s *awsjson.Scanner, name string) (bool, error) {
	switch name {
	case "KeyId":
		return true, s.String(name, &in.KeyID)
	case "EncryptionContext":
		return true, s.StringMap(name, &in.EncryptionContext)
	case "NumberOfBytes":
		return true, s.Int32(name, &in.NumberOfBytes)
	case "KeySpec":
		return true, s.String(name, &in.KeySpec)
	case "GrantTokens":
		return true, s.StringList(name, &in.GrantTokens)
	case "DryRun":
		return true, s.Bool(name, &in.DryRun)
	}
	return false, nil
}

// DecodeJSON implements awsjson.Decoder.
func (in *GenerateDataKeyWithoutPlaintextInput) DecodeJSON(s *awsjson.Scanner) error {
	return s.Object(func(name string) error {
		if ok, err := in.member(s, name); ok {
			return err
		}
		return s.Skip()
	})
}

// DecodeJSON implements awsjson.Decoder.
func (in *GenerateDataKeyInput) DecodeJSON(s *awsjson.Scanner) error {
	return s.Object(func(name string) error {
		if ok, err := in.member(s, name); ok {
			return err
		}
		if name == "Recipient" {
			present, err := s.Present()
			if present {
				in.Recipient = &struct{}{}
			}
			return err
		}
		return s.Skip()
	})
}

// DecodeJSON implements awsjson.Decoder.
func (in *EncryptInput) DecodeJSON(s *awsjson.Scanner) error {
	return s.Object(func(name string) error {
		switch name {
		case "KeyId":
			return s.String(name, &in.KeyID)
		case "Plaintext":
			return s.Bytes(name, &in.Plaintext)
		case "EncryptionContext":
			return s.StringMap(name, &in.EncryptionContext)
		case "GrantTokens":
			return s.StringList(name, &in.GrantTokens)
		case "EncryptionAlgorithm":
			return s.String(name, &in.EncryptionAlgorithm)
		case "DryRun":
			return s.Bool(name, &in.DryRun)
		}
		return s.Skip()
	})
}

// DecodeJSON implements awsjson.Decoder.
func (in *DecryptInput) DecodeJSON(s *awsjson.Scanner) error {
	return s.Object(func(name string) error {
		switch name {
		case "CiphertextBlob":
			return s.Bytes(name, &in.CiphertextBlob)
		case "EncryptionContext":
			return s.StringMap(name, &in.EncryptionContext)
		case "GrantTokens":
			return s.StringList(name, &in.GrantTokens)
		case "KeyId":
			return s.String(name, &in.KeyID)
		case "EncryptionAlgorithm":
			return s.String(name, &in.EncryptionAlgorithm)
		case "Recipient":
			present, err := s.Present()
			if present {
				in.Recipient = &struct{}{}
			}
			return err
		case "DryRun":
			return s.Bool(name, &in.DryRun)
		}
		return s.Skip()
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
