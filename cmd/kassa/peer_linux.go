//go:build linux

package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// peerError says why the process at the other end of c may not use the
// till's socket, nil when it may: only the till's own user may (the
// socket's mode says so too, but root passes any mode).
func peerError(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil // not a socket of this machine's processes
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var (
		cred    *unix.Ucred
		credErr error
	)
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("who is asking cannot be told: %w", credErr)
	}
	return allowPeer(cred, os.Getuid())
}

// allowPeer lets in a process whose credential is cred when it runs as
// the user uid, the till's.
func allowPeer(cred *unix.Ucred, uid int) error {
	if cred == nil || int(cred.Uid) != uid {
		return errOtherUser
	}
	return nil
}
