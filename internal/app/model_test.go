//go:build e2e

package app_test

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
)

// model is the part of a botocore service model the table check reads.
type model struct {
	Operations map[string]struct {
		Input  struct{ Shape string }
		Output struct {
			Shape         string
			ResultWrapper string
		}
	}
	Shapes map[string]struct {
		Required []string
		Members  map[string]json.RawMessage
	}
}

// loadModel reads data/<service>/<version>/service-2.json(.gz) from the botocore that ships with
// the AWS CLI on this machine.
func loadModel(t *testing.T, service, version string) *model {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Fatalf("botocore (from the AWS CLI) is needed to read the service models: %v", err)
	}
	base := filepath.Join(strings.TrimSpace(string(out)), "data", service, version, "service-2.json")
	var f *os.File
	if f, err = os.Open(base + ".gz"); err != nil {
		if f, err = os.Open(base); err != nil {
			t.Fatal(err)
		}
	}
	defer f.Close()
	var m model
	if strings.HasSuffix(f.Name(), ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(zr).Decode(&m)
		if err != nil {
			t.Fatal(err)
		}
	} else if err := json.NewDecoder(f).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// queryFields returns the parameter names a query input type reads.
func queryFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k := range queryFields(f.Type) {
				out[k] = true
			}
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("query"); tag != "" {
			name = tag
		}
		out[name] = true
	}
	return out
}

// xmlFields returns the top-level element names an output type writes.
func xmlFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, xmlFields(f.Type)...)
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("xml"); tag != "" {
			name = strings.Split(strings.Split(tag, ",")[0], ">")[0]
		}
		out = append(out, name)
	}
	return out
}

// TestOperationTablesMatchTheAWSModels checks every operation keytrail serves against botocore's
// model: the operation exists, every required input member is read, every output element written
// is a member of the output shape, and the input type can be decoded.
func TestOperationTablesMatchTheAWSModels(t *testing.T) {
	e := start(t, t.TempDir())
	for _, svc := range []struct {
		api     *awsquery.Service
		service string
	}{{e.app.IAM.API(), "iam"}, {e.app.STS.API(), "sts"}} {
		m := loadModel(t, svc.service, svc.api.Version)
		if len(svc.api.Operations) == 0 {
			t.Fatalf("%s serves no operations", svc.service)
		}
		for name, h := range svc.api.Operations {
			t.Run(svc.service+"."+name, func(t *testing.T) {
				op, ok := m.Operations[name]
				if !ok {
					t.Fatalf("%s is not an operation of the %s model", name, svc.service)
				}
				if err := awsquery.Unmarshal(awsquery.Values{}, reflect.New(h.In).Interface()); err != nil {
					t.Fatalf("decode empty input: %v", err)
				}
				have := queryFields(h.In)
				for _, req := range m.Shapes[op.Input.Shape].Required {
					if !have[req] {
						t.Errorf("required input member %s is not read", req)
					}
				}
				if op.Output.Shape == "" {
					if len(xmlFields(h.Out)) > 0 {
						t.Errorf("the model has no output, keytrail writes %v", xmlFields(h.Out))
					}
					return
				}
				members := m.Shapes[op.Output.Shape].Members
				for _, f := range xmlFields(h.Out) {
					if _, ok := members[f]; !ok {
						t.Errorf("output element %s is not a member of %s", f, op.Output.Shape)
					}
				}
			})
		}
	}
}

// jsonFields returns the JSON member names a type reads or writes (embedded structs flattened).
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k := range jsonFields(f.Type) {
				out[k] = true
			}
			continue
		}
		name := f.Name
		if tag := strings.Split(f.Tag.Get("json"), ",")[0]; tag != "" {
			name = tag
		}
		out[name] = true
	}
	return out
}

// TestJSONOperationTablesMatchTheAWSModels checks the JSON services' tables against botocore:
// every operation exists, every member keytrail reads or writes is in the model's shape, every
// required input member is read, and an operation without output writes nothing.
func TestJSONOperationTablesMatchTheAWSModels(t *testing.T) {
	e := start(t, t.TempDir())
	for _, svc := range []struct {
		api              *awsjson.Service
		service, version string
	}{{e.app.KMS.API(), "kms", "2014-11-01"}, {e.app.CloudTrail.API(), "cloudtrail", "2013-11-01"}} {
		m := loadModel(t, svc.service, svc.version)
		for name, h := range svc.api.Operations {
			t.Run(svc.service+"."+name, func(t *testing.T) {
				op, ok := m.Operations[name]
				if !ok {
					t.Fatalf("%s is not an operation of the %s model", name, svc.service)
				}
				in := jsonFields(h.In)
				for f := range in {
					if _, ok := m.Shapes[op.Input.Shape].Members[f]; !ok {
						t.Errorf("input member %s is not in %s", f, op.Input.Shape)
					}
				}
				for _, req := range m.Shapes[op.Input.Shape].Required {
					if !in[req] {
						t.Errorf("required input member %s is not read", req)
					}
				}
				out := jsonFields(h.Out)
				if op.Output.Shape == "" {
					if len(out) > 0 {
						t.Errorf("the model has no output, keytrail writes %v", out)
					}
					return
				}
				for f := range out {
					if _, ok := m.Shapes[op.Output.Shape].Members[f]; !ok {
						t.Errorf("output member %s is not in %s", f, op.Output.Shape)
					}
				}
			})
		}
	}
}

// TestS3OperationsAreInTheModel checks that every S3 operation keytrail routes exists in botocore's
// S3 model.
func TestS3OperationsAreInTheModel(t *testing.T) {
	e := start(t, t.TempDir())
	m := loadModel(t, "s3", "2006-03-01")
	ops := e.app.S3.API().Operations
	if len(ops) == 0 {
		t.Fatal("S3 serves no operations")
	}
	for route, op := range ops {
		if _, ok := m.Operations[op.Name]; !ok {
			t.Errorf("%s (%s) is not an operation of the S3 model", op.Name, route.Method)
		}
	}
}
