package pii

import (
	"strings"
	"time"

	"grassroots/internal/platform/date"
)

// idWeights are the GB 11643-1999 weights of the first 17 characters.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the check character.
const idCheck = "10X98765432"

// NormalizeIDNumber trims spaces and upper-cases the check character x.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// IDNumberProblem says what is wrong with a resident identity card number
// (GB 11643) on the day today (the district's, date.Today of the clock):
// "" when it is valid, else a message key.
func IDNumberProblem(id string, today date.Date) string {
	if len(id) != 18 {
		return "pii.id_length"
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return "pii.id_digits"
		}
		sum += int(c-'0') * idWeights[i]
	}
	if id[17] != idCheck[sum%11] {
		return "pii.id_check"
	}
	// A real date, from 1900 (the calendars the system keeps start there)
	// and not after today: nobody holds a card for a birth to come, but a
	// baby born today may be registered today.
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 {
		return "pii.id_birth"
	}
	if date.Of(birth).After(today) {
		return "pii.id_born_later"
	}
	return ""
}

// IDBirthDate returns the birth date an identity card number carries
// (YYYY-MM-DD), and its sex: odd 17th digit male, even female.
func IDBirthDate(id string) (birth string, male bool) {
	if len(id) != 18 {
		return "", false
	}
	return id[6:10] + "-" + id[10:12] + "-" + id[12:14], (id[16]-'0')%2 == 1
}

// IDCheckChar returns the check character for the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17 && i < len(first17); i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheck[sum%11]
}

// MaskID shows the first four and last four characters of an identity
// number: 3604**********1234.
func MaskID(id string) string {
	r := []rune(id)
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// MaskPhone shows the first three and last four digits: 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskDigitRuns masks the middle of every run of seven or more digits (an
// X may end it), so that an identity number or phone typed into free text
// (a note, a contact) does not come back whole.
func MaskDigitRuns(v string) string {
	b := []byte(v)
	for i := 0; i < len(b); {
		if b[i] < '0' || b[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || (j > i && (b[j] == 'X' || b[j] == 'x') && (j+1 == len(b) || b[j+1] < '0' || b[j+1] > '9'))) {
			j++
		}
		if j-i >= 7 {
			for k := i + 3; k < j-4; k++ {
				b[k] = '*'
			}
		}
		i = j
	}
	return string(b)
}

// NormalizePhone keeps the digits of a phone number (and a leading +).
func NormalizePhone(p string) string {
	var b strings.Builder
	for i, c := range strings.TrimSpace(p) {
		if (c >= '0' && c <= '9') || (c == '+' && i == 0) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// PhoneProblem says what is wrong with a phone number as NormalizePhone
// leaves it: "" for 7 to 15 digits after an optional "+" (a landline
// without area code, a mobile's 11, an international number), else a
// message key.
func PhoneProblem(p string) string {
	digits := strings.TrimPrefix(p, "+")
	if n := len(digits); n < 7 || n > 15 {
		return "pii.phone_length"
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return "pii.phone_length"
		}
	}
	return ""
}
