//go:build e2e

package model_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/keytrail/keytrail/internal/model/internal/modelgen"
)

// TestShapesMatchTheModels regenerates shapes_gen.go from the botocore on this machine and fails
// when the committed file differs: the shapes are checked against the AWS service models.
func TestShapesMatchTheModels(t *testing.T) {
	dir, err := modelgen.Dir()
	if err != nil {
		t.Fatal(err)
	}
	version, err := modelgen.Version()
	if err != nil {
		t.Fatal(err)
	}
	want, err := modelgen.Generate(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("shapes_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatal("shapes_gen.go differs from botocore's models: run go generate ./internal/model")
	}
}
