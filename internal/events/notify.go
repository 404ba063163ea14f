package events

import (
	"fmt"

	"grassroots/internal/platform/notify"
)

// SubjectEvent is the subject type of the notifications about an event.
const SubjectEvent = "event"

func init() {
	notify.Link(SubjectEvent, func(id int64) string { return fmt.Sprintf("/events/%d", id) })
}
