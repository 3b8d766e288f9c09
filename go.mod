module github.com/keytrail/keytrail

go 1.26

require (
	github.com/aws/aws-sdk-go-v2 v1.47.7
	go.etcd.io/bbolt v1.5.0
)

require (
	github.com/aws/smithy-go v1.28.8 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
