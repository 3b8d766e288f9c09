// Package browser holds the web console's browser tests: a real `keytrail serve` driven in
// headless Debian chromium with chromedp. They need chromium, so they are built only with the e2e
// build tag: `make e2e`, or `go test -tags e2e ./test/browser/` after
// scripts/install-test-deps.sh. Each test writes screenshots of its pages to
// $KEYTRAIL_SCREENSHOTS (default: a keytrail-browser directory under the system's temporary
// directory); with KEYTRAIL_UPDATE_DOCS=1 the main ones are also copied into docs/console/.
package browser
