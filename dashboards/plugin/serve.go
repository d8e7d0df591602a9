package plugin

import (
	"context"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
)

// Service routes each request to the datasource instance of its settings: Grafana may run several
// configured instances of the plugin in one process, and replaces an instance when its settings change.
type Service struct {
	im instancemgmt.InstanceManager
}

// NewService returns a service creating instances with NewDatasource.
func NewService() *Service {
	return &Service{im: datasource.NewInstanceManager(NewDatasource)}
}

// ServeOpts returns the handlers Grafana calls: the same for the plugin binary and the tests.
func (s *Service) ServeOpts() backend.ServeOpts {
	return backend.ServeOpts{QueryDataHandler: s, CheckHealthHandler: s, CallResourceHandler: s}
}

func (s *Service) instance(ctx context.Context, pc backend.PluginContext) (*Datasource, error) {
	inst, err := s.im.Get(ctx, pc)
	if err != nil {
		return nil, err
	}
	d, ok := inst.(*Datasource)
	if !ok {
		return nil, fmt.Errorf("instance of type %T, want *plugin.Datasource", inst)
	}
	return d, nil
}

// QueryData implements backend.QueryDataHandler.
func (s *Service) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	d, err := s.instance(ctx, req.PluginContext)
	if err != nil {
		return nil, err
	}
	return d.QueryData(ctx, req)
}

// CheckHealth implements backend.CheckHealthHandler. Settings that cannot be read are reported as an
// unhealthy datasource, with the field named.
func (s *Service) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	d, err := s.instance(ctx, req.PluginContext)
	if err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	return d.CheckHealth(ctx, req)
}

// CallResource implements backend.CallResourceHandler.
func (s *Service) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	d, err := s.instance(ctx, req.PluginContext)
	if err != nil {
		return err
	}
	return d.CallResource(ctx, req, sender)
}
