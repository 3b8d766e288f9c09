package app

import (
	"context"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/metrics"
)

// denials hands each denial to every recorder: the explanations and the metrics.
type denials []authz.DenialRecorder

// RecordDenial implements authz.DenialRecorder.
func (d denials) RecordDenial(ctx context.Context, req authz.Request, dec authz.Decision) {
	for _, r := range d {
		r.RecordDenial(ctx, req, dec)
	}
}

// trailBacklogs reads the trails' delivery backlogs for the metrics.
func trailBacklogs(ct *cloudtrail.Service) func(context.Context) ([]metrics.Backlog, error) {
	return func(ctx context.Context) ([]metrics.Backlog, error) {
		list, err := ct.Backlogs(scope(ctx))
		out := make([]metrics.Backlog, len(list))
		for i, b := range list {
			out[i] = metrics.Backlog{Name: b.Trail, Events: b.Events, Oldest: b.Oldest}
		}
		return out, err
	}
}

// storeBacklogs reads the event data stores' ingestion backlogs for the metrics.
func storeBacklogs(lk *lake.Service) func(context.Context) ([]metrics.Backlog, error) {
	return func(ctx context.Context) ([]metrics.Backlog, error) {
		list, err := lk.Backlogs(scope(ctx))
		out := make([]metrics.Backlog, len(list))
		for i, b := range list {
			out[i] = metrics.Backlog{Name: b.Store, Events: b.Events, Oldest: b.Oldest}
		}
		return out, err
	}
}
