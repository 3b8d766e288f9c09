package awserr

import "testing"

func TestValidation(t *testing.T) {
	v := NewValidation(ValidationException)
	if v.Err() != nil || v.Len() != 0 {
		t.Fatal("an empty builder reports an error")
	}
	if v.Required("keyId", "") {
		t.Fatal("Required of an empty value reports it present")
	}
	want1 := "ValidationException: 1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
	if got := v.Err().Error(); got != want1 {
		t.Fatalf("one violation:\n got %s\nwant %s", got, want1)
	}
	if !v.Required("limit", "5") {
		t.Fatal("Required of a value reports it missing")
	}
	v.Constraint("limit", 5000, "Member must have value less than or equal to 1000")
	v.Hidden("ciphertextBlob", "Member must have length between 1 and 6144")
	v.Message("Tag keys must not be empty")
	want := "ValidationException: 4 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
		"Value '5000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000; " +
		"Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length between 1 and 6144; Tag keys must not be empty"
	e, ok := As(v.Err())
	if !ok || e.Error() != want || e.HTTPStatus() != 400 {
		t.Fatalf("four violations:\n got %v\nwant %s (status 400)", v.Err(), want)
	}
}
