// Command gen writes internal/model/shapes_gen.go from the botocore service models that ship with
// the AWS CLI on this machine (run by `go generate ./internal/model`).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/keytrail/keytrail/internal/model/internal/modelgen"
)

func main() {
	out := flag.String("o", "shapes_gen.go", "the file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	dir, err := modelgen.Dir()
	if err != nil {
		return err
	}
	version, err := modelgen.Version()
	if err != nil {
		return err
	}
	src, err := modelgen.Generate(dir, version)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
