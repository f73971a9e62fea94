package main

import (
	"flag"
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
func runSimUzQR(args []string, stderr io.Writer) error {
	var names []string
	for _, b := range uzqrsim.Behaviours {
		names = append(names, string(b))
	}
	fs := flag.NewFlagSet("kassa sim uzqr", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8090", "address to listen on")
	longPoll := fs.Bool("long-poll", false, "hold status calls until the invoice is final (up to 2 min), as a box that long-polls")
	customer := fs.String("customer", "pay", "what customers do unless told otherwise: "+strings.Join(names, ", "))
	delay := fs.Duration("delay", 5*time.Second, "how long a customer takes to pay or decline")
	inn := fs.String("inn", "", "require this INN in X-Inn (1001 otherwise)")
	apiKey := fs.String("api-key", "", "require this API key in X-Api-Key (1001 otherwise)")
	if err := fs.Parse(args); err != nil {
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
