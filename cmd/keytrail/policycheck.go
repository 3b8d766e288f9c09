package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/advisor"
	"github.com/keytrail/keytrail/internal/awserr"
)

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// placeholderKeyID stands for the key of a policy read from a file when --key-arn is not given.
const placeholderKeyID = "00000000-0000-0000-0000-000000000000"

// policyCheck runs `keytrail policy check`: the key policy (a file, standard input, or a running
// keytrail's key) checked by internal/advisor against the intended use; exit status 1 when a
// requirement is not met.
func (m *Main) policyCheck(args []string) error {
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	var trails, stores, readers, accounts listFlag
	fs.Var(&trails, "trail", "a trail that encrypts its log files with the key (ARN; repeatable)")
	bucket := fs.String("bucket", "", "the bucket the trails deliver to (default cloudtrail-logs-<account>)")
	bucketKey := fs.Bool("bucket-key", false, "the bucket encrypts with an S3 Bucket Key")
	fs.Var(&stores, "event-data-store", "an event data store encrypted with the key (ARN; repeatable)")
	fs.Var(&readers, "reader", "a principal that reads the logs: IAM user, role, assumed-role or root ARN, or account ID (repeatable)")
	fs.Var(&accounts, "account", "another account whose trails encrypt with the key and whose principals read their logs (repeatable)")
	keyID := fs.String("key-id", "", "check the policy of this key of a running keytrail (key ID, key ARN, alias name or alias ARN) instead of FILE")
	keyARN := fs.String("key-arn", "", "the ARN of the key the policy in FILE belongs to (default: a key of the first trail's or store's account and region)")
	region := fs.String("region", firstSet(m.Getenv("AWS_REGION"), m.Getenv("AWS_DEFAULT_REGION"), "us-east-1"), "the region of the key, with --key-id")
	endpoint := fs.String("endpoint-url", "", "keytrail's endpoint, with --key-id (default AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, else "+defaultEndpoint+")")
	output := fs.String("output", "text", "the report's format: text or json")
	files, err := m.parseInterspersed(fs, "policy check", args)
	if err != nil {
		return err
	}
	if *output != "text" && *output != "json" {
		return usagef("--output must be text or json, not %q", *output)
	}
	if len(trails) == 0 && len(stores) == 0 && len(accounts) == 0 {
		return usagef("policy check needs the key's use: --trail, --event-data-store or --account (see keytrail help policy)")
	}
	if (*bucket != "" || *bucketKey) && len(trails) == 0 {
		return usagef("--bucket and --bucket-key describe the trails' bucket: give --trail too")
	}
	u := advisor.Use{KeyARN: *keyARN, EventDataStores: stores, Readers: readers, Accounts: accounts}
	for _, t := range trails {
		u.Trails = append(u.Trails, advisor.Trail{ARN: t, Bucket: *bucket, BucketKey: *bucketKey})
	}
	var doc string
	switch {
	case *keyID != "" && len(files) > 0:
		return usagef("policy check takes FILE or --key-id, not both")
	case *keyID != "":
		if *keyARN != "" {
			return usagef("--key-arn is for a policy read from a file; --key-id names the key")
		}
		if doc, u.KeyARN, err = m.fetchKeyPolicy(*keyID, *region, *endpoint); err != nil {
			return err
		}
	case len(files) != 1:
		return usagef("policy check takes one file (or - for standard input), or --key-id")
	default:
		var b []byte
		if name := files[0]; name == "-" {
			b, err = io.ReadAll(io.LimitReader(m.Stdin, 1<<20))
		} else {
			b, err = os.ReadFile(name)
		}
		if err != nil {
			return err
		}
		doc = string(b)
		if u.KeyARN == "" {
			u.KeyARN, u.KeyAssumed = defaultKeyARN(u), true
		}
	}
	report, err := advisor.Check(context.Background(), doc, u)
	if ae, ok := awserr.As(err); ok {
		if ae.Code == awserr.MalformedPolicyDocumentException {
			return &invalidError{fmt.Errorf("invalid key policy: %s", ae.Message)}
		}
		return usagef("policy check: %s", ae.Message)
	}
	if err != nil {
		return err
	}
	if *output == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	} else {
		err = report.WriteText(m.Stdout)
	}
	if err != nil {
		return err
	}
	if !report.OK() {
		return exitStatus(exitInvalid)
	}
	return nil
}

// parseInterspersed parses a command's flags wherever they stand among its arguments (keytrail
// policy check FILE --trail ARN), and returns the arguments.
func (m *Main) parseInterspersed(fs *flag.FlagSet, name string, args []string) ([]string, error) {
	var rest []string
	for {
		if err := m.parseFlags(fs, name, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// defaultKeyARN is the key assumed for a policy read from a file: one of the account and region
// of the first trail, else of the first event data store, else of the key's own account.
func defaultKeyARN(u advisor.Use) string {
	arn := ""
	switch {
	case len(u.Trails) > 0:
		arn = u.Trails[0].ARN
	case len(u.EventDataStores) > 0:
		arn = u.EventDataStores[0]
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "" // advisor.Check says what is missing
	}
	return "arn:aws:kms:" + parts[3] + ":" + parts[4] + ":key/" + placeholderKeyID
}

// fetchKeyPolicy reads a key's policy and ARN from a running keytrail (GetKeyPolicy and
// DescribeKey, signed with the AWS environment's credentials).
func (m *Main) fetchKeyPolicy(keyID, region, flagEndpoint string) (doc, arn string, err error) {
	endpoint, err := m.endpoint(flagEndpoint, "AWS_ENDPOINT_URL_KMS")
	if err != nil {
		return "", "", err
	}
	if parts := strings.SplitN(keyID, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		region = parts[3]
	}
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		id, secret := m.Getenv("AWS_ACCESS_KEY_ID"), m.Getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return aws.Credentials{}, errors.New("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: m.Getenv("AWS_SESSION_TOKEN")}, nil
	})
	client := kms.New(kms.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: creds})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	desc, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return "", "", fmt.Errorf("describe key %s: %w", keyID, err)
	}
	arn = aws.ToString(desc.KeyMetadata.Arn)
	out, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
	if err != nil {
		return "", "", fmt.Errorf("get the policy of key %s: %w", arn, err)
	}
	return aws.ToString(out.Policy), arn, nil
}

// subcommands are the commands with a help of their own under another's name (lookup finds
// them; the command list shows their parent).
var subcommands = []command{{"policy check",
	"[--trail ARN…] [--bucket NAME] [--bucket-key] [--event-data-store ARN…] [--reader ARN…] [--account ID…] [--output text|json] FILE|-|--key-id ID",
	"check a key policy against what CloudTrail needs of it",
	"Check a key policy (FILE, - for standard input, or --key-id ID of a running keytrail, read with\n" +
		"GetKeyPolicy and DescribeKey) against the key's intended use: for each trail, CloudTrail's\n" +
		"encrypt (with aws:SourceArn and the encryption context) and DescribeKey, the Bucket Key's\n" +
		"permissions, each reader's decrypt (with the Null condition), other accounts' encrypt and\n" +
		"decrypt; for each event data store, CloudTrail's and each reader's GenerateDataKey and\n" +
		"Decrypt (without aws:SourceArn or aws:SourceAccount); and that someone can still manage the\n" +
		"key. keytrail's policy engine decides the requests CloudTrail, S3 and KMS would make; each\n" +
		"requirement not met names the statement that failed (or its absence) and the one to add.\n" +
		"Readers' IAM policies are assumed to allow what the key policy delegates to their account.\n" +
		"With --key-id, credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and\n" +
		"AWS_SESSION_TOKEN; " + strings.TrimSuffix(endpointHelp, "\n"),
	"  0  every requirement is met\n  1  a requirement is not met, or the document is not a valid key policy\n" +
		exitUsageLine + "  3  the file could not be read, or keytrail unreachable or answering an error\n"}}
