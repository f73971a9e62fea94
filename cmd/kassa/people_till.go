package main

import (
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// The training till's people, by market: a manager and a cashier whose
// PINs its sign-in shows, so a trainee can try approvals at once.
var demoPeople = map[string][2]store.Person{
	"kz": {{Name: "Aigerim", Role: store.RoleManager}, {Name: "Bolat", Role: store.RoleCashier}},
	"uz": {{Name: "Dilnoza", Role: store.RoleManager}, {Name: "Jasur", Role: store.RoleCashier}},
}

// demoPINs are the training people's PINs: the manager's, then the cashier's.
var demoPINs = [2]string{"1111", "2222"}

// signInOn makes c's till one whose people sign in with a PIN, with what
// needs a manager as approval says. A training file gets its people the
// first time; a real one asks for its first manager on the screen.
func signInOn(c *common.Common, approval store.Approval, market string) error {
	c.SignIn, c.Approval, c.Cashier = true, approval, ""
	if !c.Demo {
		return nil
	}
	people := demoPeople[market]
	c.DemoPINs = map[string]string{}
	for i, p := range people {
		c.DemoPINs[p.Name] = demoPINs[i]
	}
	has, err := c.Store.HasPeople()
	if err != nil || has {
		return err
	}
	now := c.Clock.Now()
	for i, p := range people {
		if err := c.Store.AddPerson(p, demoPINs[i], people[0].Name, now); err != nil {
			return err
		}
	}
	return nil
}
