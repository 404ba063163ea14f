package people

// MessageKeys lists the labels of every closed list's values, which pages
// and sheets name by key built from the value.
func (m *Module) MessageKeys() []string {
	var keys []string
	for _, c := range []Choice{Genders, IDTypes, Residences, Relations, Statuses, Tags, MemberStatus, PostKinds, Positions,
		Educations, StaffRoles, StaffKinds, YesNo} {
		for _, v := range c.Values {
			keys = append(keys, c.Prefix+"."+v)
		}
	}
	return keys
}
