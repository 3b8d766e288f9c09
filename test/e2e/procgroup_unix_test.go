//go:build e2e && unix

package e2e

import (
	"os/exec"
	"syscall"
)

// inOwnGroup starts cmd in a process group of its own, so that what it starts in the background
// joins the group, and a cancelled cmd takes the whole group down.
func inOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, true) }
}

// signalGroup sends the process group pgid SIGTERM, or SIGKILL when force is set.
func signalGroup(pgid int, force bool) error {
	sig := syscall.SIGTERM
	if force {
		sig = syscall.SIGKILL
	}
	return syscall.Kill(-pgid, sig)
}
