package providers

import (
	"fmt"
	"slices"
)

// Registry is the till's providers, in the order the cashier is offered
// them. Nothing reaches for "the" provider: a payment goes to the one the
// cashier chose, a refund to its payment's.
type Registry struct {
	list []Provider
}

// NewRegistry returns a registry of ps; names must be unique.
func NewRegistry(ps ...Provider) (*Registry, error) {
	r := &Registry{}
	for _, p := range ps {
		name := p.Info().Name
		if _, ok := r.Get(name); ok {
			return nil, fmt.Errorf("providers: %s registered twice", name)
		}
		if len(r.list) > 0 && p.Info().Currency.Code != r.list[0].Info().Currency.Code {
			return nil, fmt.Errorf("providers: %s takes %s, %s takes %s: one till sells in one currency",
				r.list[0].Info().Name, r.list[0].Info().Currency.Code, name, p.Info().Currency.Code)
		}
		r.list = append(r.list, p)
	}
	if len(r.list) == 0 {
		return nil, fmt.Errorf("providers: no provider")
	}
	return r, nil
}

// MustRegistry is NewRegistry for tests and fixed setups.
func MustRegistry(ps ...Provider) *Registry {
	r, err := NewRegistry(ps...)
	if err != nil {
		panic(err)
	}
	return r
}

// Get returns the provider of that name.
func (r *Registry) Get(name string) (Provider, bool) {
	for _, p := range r.list {
		if p.Info().Name == name {
			return p, true
		}
	}
	return nil, false
}

// All lists the providers in order.
func (r *Registry) All() []Provider { return slices.Clone(r.list) }

// First is the first provider: the only one of a single-provider till.
func (r *Registry) First() Provider { return r.list[0] }

// Names lists the providers' names in order.
func (r *Registry) Names() []string {
	names := make([]string, len(r.list))
	for i, p := range r.list {
		names[i] = p.Info().Name
	}
	return names
}

// For lists the providers a payment of amount can go to: its currency,
// within their limits.
func (r *Registry) For(amount Money) []Provider {
	var fit []Provider
	for _, p := range r.list {
		if p.Info().Fits(amount) {
			fit = append(fit, p)
		}
	}
	return fit
}

// Currency is the currency the till takes. A till's providers share one:
// a shop in one country sells in its money.
func (r *Registry) Currency() Currency { return r.list[0].Info().Currency }
