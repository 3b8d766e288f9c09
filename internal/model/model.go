// Package model holds the input shapes of the AWS operations keytrail serves for KMS, CloudTrail,
// IAM and STS, generated from botocore's service models (shapes_gen.go, by `go generate`), and
// validates requests against their constraints (length, pattern, enum, list size, range,
// required) with AWS's "N validation errors detected" messages.
//
// The shapes are a committed file checked against the models by this package's tests, so an
// operation added to a service's table is validated without further code.
//
// AWS pages followed:
//   - https://smithy.io/2.0/spec/constraint-traits.html (length, pattern, range, required, enum)
//   - https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html (ValidationException)
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (ValidationError)
package model

//go:generate go run ./gen -o shapes_gen.go

import "regexp"

// Type is a shape's botocore type.
type Type uint8

// The botocore shape types.
const (
	Structure Type = iota + 1
	List
	Map
	String
	Integer
	Long
	Boolean
	Timestamp
	Blob
	Double
	Float
)

var typeNames = [...]string{Structure: "structure", List: "list", Map: "map", String: "string",
	Integer: "integer", Long: "long", Boolean: "boolean", Timestamp: "timestamp", Blob: "blob",
	Double: "double", Float: "float"}

// String returns the type's botocore name.
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "unknown"
}

// Shape is one botocore shape with its constraints. Shapes are shared and read-only.
type Shape struct {
	Name string // the botocore shape name, e.g. "TagKeyType"
	Type Type

	Members []Member // Structure: members in the model's order
	Elem    *Shape   // List: the element shape
	Key     *Shape   // Map: the key shape
	Value   *Shape   // Map: the value shape

	// Min and Max bound a string's length in characters, a blob's in bytes, a list's or map's
	// number of entries, or a number's value; nil when the model sets no bound.
	Min, Max *int64
	// Pattern is the model's regular expression as AWS quotes it in its messages; the value must
	// match all of it. Empty when the model has none or it cannot be checked (see exceptions in
	// the generator).
	Pattern string
	Enum    []string // the allowed values, in the model's order
	// Sensitive values are not quoted in messages.
	Sensitive bool

	re *regexp.Regexp // Pattern translated to RE2 and anchored at both ends
}

// Member is one member of a structure.
type Member struct {
	Name     string // the member name: the JSON key and the query parameter name
	Shape    *Shape
	Required bool
}

// Member returns the structure member with the given name, or nil.
func (s *Shape) Member(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// Matches reports whether v satisfies the shape's pattern (true when it has none).
func (s *Shape) Matches(v string) bool {
	return s.re == nil || s.re.MatchString(v)
}

// Input returns the input shape of service's operation ("kms", "cloudtrail", "iam", "sts"), or
// nil when the model has no such operation or it takes no input.
func Input(service, operation string) *Shape {
	return operations[service][operation]
}

// Operations returns the names of the operations of service that the generated shapes cover.
func Operations(service string) []string {
	out := make([]string, 0, len(operations[service]))
	for op := range operations[service] {
		out = append(out, op)
	}
	return out
}

// bound returns a pointer to n, for the generated shapes' Min and Max.
func bound(n int64) *int64 { return &n }
