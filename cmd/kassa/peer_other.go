//go:build !linux

package main

import "net"

// peerError lets every process in that can open the socket: elsewhere
// than on Linux the socket's mode (0600) is the only guard.
func peerError(net.Conn) error { return nil }
