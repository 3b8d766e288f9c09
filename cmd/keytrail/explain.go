package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keytrail/keytrail/internal/explain"
)

// explainCmd runs `keytrail explain <request-id>`: it asks a running keytrail why that request
// was denied, signed with the caller's AWS credentials, and prints the answer as text or JSON.
func (m *Main) explainCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	endpointURL := fs.String("endpoint-url", "", "keytrail's endpoint (default AWS_ENDPOINT_URL, else "+defaultEndpoint+")")
	output := fs.String("output", "text", "text or json")
	region := fs.String("region", firstSet(m.Getenv("AWS_REGION"), m.Getenv("AWS_DEFAULT_REGION"), "us-east-1"), "the region requests are signed for")
	profile := fs.String("profile", m.Getenv("AWS_PROFILE"), "the shared credentials file's profile, when AWS_ACCESS_KEY_ID is not set (default AWS_PROFILE, else default)")
	id, err := m.parseOneArg(fs, args)
	if err != nil {
		return err
	}
	if *output != "text" && *output != "json" {
		return usagef("--output must be text or json, not %q", *output)
	}
	endpoint, err := m.endpoint(*endpointURL)
	if err != nil {
		return err
	}
	creds, err := m.credentials(*profile)
	if err != nil {
		return err
	}
	c := &explain.Client{Endpoint: endpoint, Region: *region, Credentials: creds}
	e, err := c.Get(ctx, id)
	var ee *explain.Error
	if errors.As(err, &ee) && ee.Status == http.StatusNotFound {
		return &invalidError{fmt.Errorf("explain: %s", ee.Message)}
	}
	if err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	if *output == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	return e.WriteText(m.Stdout)
}

// parseOneArg parses flags given before or after the one argument, and returns the argument.
func (m *Main) parseOneArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := m.parseFlags(fs, fs.Name(), args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", usagef("%s needs a request ID (see keytrail help %s)", fs.Name(), fs.Name())
	}
	arg := fs.Arg(0)
	if err := m.parseNoArgs(fs, fs.Name(), fs.Args()[1:]); err != nil {
		return "", err
	}
	return arg, nil
}

// credentials are the caller's AWS credentials as the AWS CLI finds them: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else the profile of the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials).
func (m *Main) credentials(profile string) (aws.Credentials, error) {
	if id, secret := m.Getenv("AWS_ACCESS_KEY_ID"), m.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: m.Getenv("AWS_SESSION_TOKEN")}, nil
	}
	if profile == "" {
		profile = "default"
	}
	file := m.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return aws.Credentials{}, errors.New("explain: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials")
		}
		file = filepath.Join(home, ".aws", "credentials")
	}
	values, err := iniSection(file, profile)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("explain: no credentials: AWS_ACCESS_KEY_ID is not set and profile %q: %w", profile, err)
	}
	c := aws.Credentials{AccessKeyID: values["aws_access_key_id"], SecretAccessKey: values["aws_secret_access_key"], SessionToken: values["aws_session_token"]}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("explain: profile %q of %s has no aws_access_key_id and aws_secret_access_key", profile, file)
	}
	return c, nil
}

// iniSection reads the keys of one [section] of an INI file such as ~/.aws/credentials.
func iniSection(file, section string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only: closing cannot lose data
	out, in, found := map[string]string{}, false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			in = strings.TrimSpace(strings.Trim(line, "[]")) == section
			found = found || in
		case in:
			if k, v, ok := strings.Cut(line, "="); ok {
				out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("no [%s] in %s", section, file)
	}
	return out, nil
}
