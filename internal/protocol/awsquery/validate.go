package awsquery

import "github.com/keytrail/keytrail/internal/model"

// validate checks a request's parameters against the AWS model's constraints for the action's
// input (length, pattern, enum, list size, range, required), so every operation in the table is
// checked before it runs. The Action and Version parameters are the protocol's, not the input's.
func (s *Service) validate(action string, params Values) error {
	return model.ValidateQuery(s.Name, action, params)
}
