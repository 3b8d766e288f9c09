package cloudtrail

import "testing"

// The trail name rules and the KmsKeyId forms of https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html.
func TestNamesAndKeyIDs(t *testing.T) {
	for name, ok := range map[string]bool{
		"management": true, "My.Trail_1-a": true, "abc": true, "a1": false, "ab": false,
		"-abc": false, "abc.": false, "my--namespace": false, "my-_namespace": false, "a..b": false,
		"10.0.0.1": false, "trail name": false, "träil": false, string(make([]byte, 129)): false,
	} {
		if got := validName(name) == nil; got != ok {
			t.Errorf("validName(%q) = %v, want %v", name, got, ok)
		}
	}
	valid := func(id string) bool {
		return keyARNPattern.MatchString(id) || keyIDPattern.MatchString(id) || aliasPattern.MatchString(id)
	}
	for id, ok := range map[string]bool{
		"1234abcd-12ab-34cd-56ef-1234567890ab": true,
		"mrk-1234abcd12ab34cd56ef1234567890ab": true,
		"alias/trail-key":                      true,
		"arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab": true,
		"arn:aws:kms:us-east-2:123456789012:alias/trail-key":                          true,
		"arn:aws:kms:us-east-2:12345678901:key/1234":                                  false,
		"trail-key": false,
		"alias/":    false,
		"1234":      false,
	} {
		if valid(id) != ok {
			t.Errorf("KmsKeyId %q valid = %v, want %v", id, !ok, ok)
		}
	}
}
