//go:build linux

package main

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The kernel's word on who connected decides: another uid is refused,
// root included when the till is not root's, and so is no word at all.
// Tests run as root, so other users are credentials made up here.
func TestPeerOfAnotherUserIsRefused(t *testing.T) {
	for _, c := range []struct {
		cred *unix.Ucred
		till int
		ok   bool
	}{
		{&unix.Ucred{Pid: 4242, Uid: 1000, Gid: 1000}, 1000, true},
		{&unix.Ucred{Pid: 4242, Uid: 1001, Gid: 1000}, 1000, false},
		{&unix.Ucred{Pid: 4242, Uid: 0, Gid: 0}, 1000, false},
		{&unix.Ucred{Pid: 4242, Uid: 1000, Gid: 0}, 0, false},
		{&unix.Ucred{Pid: 1, Uid: 0, Gid: 0}, 0, true},
		{nil, 1000, false},
	} {
		err := allowPeer(c.cred, c.till)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, errOtherUser) {
			t.Errorf("%+v to the till of uid %d: %v", c.cred, c.till, err)
		}
	}
}

// A real connection of this process's own user is let in: the
// credential is read from the socket itself.
func TestPeerOfTheSameUserIsLetIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("unix", path)
		if err == nil {
			defer c.Close()
			c.Read(make([]byte, 1))
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := peerError(c); err != nil {
		t.Fatalf("uid %d refused itself: %v", os.Getuid(), err)
	}
}
