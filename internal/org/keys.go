package org

// MessageKeys lists the labels of the unit types, party organisation types
// and co-building kinds, which pages name by key built from the value.
func (m *Module) MessageKeys() []string {
	var keys []string
	for _, u := range UnitTypes {
		keys = append(keys, "unit."+string(u))
	}
	for _, p := range PartyOrgTypes {
		keys = append(keys, "party."+string(p))
	}
	for _, k := range CoBuildingKinds {
		keys = append(keys, "cob."+string(k))
	}
	return keys
}
