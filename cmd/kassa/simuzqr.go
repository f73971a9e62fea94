package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	uzqrsim "github.com/kassa-till/kassa/providers/uzqr/sim"
)

// runSimUzQR runs the UzQR box simulator on its own until interrupted.
func runSimUzQR(args []string, out, stderr io.Writer) error {
	names := uzCustomerNames()
	fs := newSimFlags("kassa sim uzqr")
	listen := fs.String("listen", "127.0.0.1:8090", "flag.sim.listen ADDR")
	longPoll := fs.Bool("long-poll", false, "flag.sim-uzqr.long-poll")
	customer := fs.String("customer", "pay", "flag.sim-uzqr.customer NAME")
	delay := fs.Duration("delay", 5*time.Second, "flag.sim.delay")
	inn := fs.String("inn", "", "flag.sim-uzqr.inn INN")
	apiKey := fs.String("api-key", "", "flag.sim-uzqr.api-key KEY")
	if err := parseSimFlags(fs, args, out, stderr); err != nil {
		return err
	}
	if !slices.Contains(uzqrsim.Behaviours, uzqrsim.Behaviour(*customer)) {
		return fmt.Errorf("customer %q: use one of %s", *customer, strings.Join(names, ", "))
	}
	s := uzqrsim.New(uzqrsim.Options{LongPoll: *longPoll, INN: *inn, APIKey: *apiKey,
		Default: uzqrsim.Customer{Does: uzqrsim.Behaviour(*customer), Delay: *delay}})
	srv, err := s.Start(*listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	mode := "status answered at once"
	if *longPoll {
		mode = "status held until final, up to 2 min"
	}
	fmt.Fprintf(stderr, "UzQR box simulator on %s (API /payment/one_qr/, steering /sim/; %s)\n", srv.URL(), mode)
	if *inn != "" || *apiKey != "" {
		fmt.Fprintln(stderr, "every call must carry the INN and API key given (X-Inn, X-Api-Key)")
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}
