package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"

	"github.com/keytrail/keytrail/internal/protocol/restxml"
	"github.com/keytrail/keytrail/internal/request"
)

// controlAPI is S3 Control's operation table: the resource tagging of general purpose buckets.
func (s *Service) controlAPI() map[restxml.ControlRoute]restxml.ControlOperation {
	return map[restxml.ControlRoute]restxml.ControlOperation{
		{Method: "GET", Resource: "tags"}:    {Name: "ListTagsForResource", Handler: s.handleListTagsForResource, Meta: request.Meta{ReadOnly: true}},
		{Method: "POST", Resource: "tags"}:   {Name: "TagResource", Handler: s.handleTagResource},
		{Method: "DELETE", Resource: "tags"}: {Name: "UntagResource", Handler: s.handleUntagResource},
	}
}

type controlTags struct {
	Tags []xmlTag `xml:"Tags>Tag"`
}

type listTagsForResourceResult struct {
	XMLName xml.Name `xml:"ListTagsForResourceResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	controlTags
}

type tagResourceRequest struct {
	XMLName xml.Name `xml:"TagResourceRequest"`
	controlTags
}

func resourceOf(t restxml.ControlTarget) ResourceTagsInput {
	return ResourceTagsInput{AccountID: t.Account, ResourceARN: t.Path}
}

func (s *Service) handleListTagsForResource(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.ControlTarget, _ io.Reader) error {
	in := resourceOf(t)
	out, err := s.ListTagsForResource(ctx, &in)
	if err != nil {
		return err
	}
	res := listTagsForResourceResult{Xmlns: restxml.ControlNamespace}
	for _, tag := range out.Tags {
		res.Tags = append(res.Tags, xmlTag(tag))
	}
	return writeXML(w, http.StatusOK, res)
}

func (s *Service) handleTagResource(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.ControlTarget, body io.Reader) error {
	var req tagResourceRequest
	if err := readXML(body, maxConfigBody, &req); err != nil {
		return err
	}
	in := &TagResourceInput{ResourceTagsInput: resourceOf(t)}
	for _, tag := range req.Tags {
		in.Tags = append(in.Tags, Tag(tag))
	}
	return respond(w, http.StatusNoContent, s.TagResource(ctx, in))
}

func (s *Service) handleUntagResource(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.ControlTarget, _ io.Reader) error {
	in := &UntagResourceInput{ResourceTagsInput: resourceOf(t), TagKeys: r.URL.Query()["tagKeys"]}
	return respond(w, http.StatusNoContent, s.UntagResource(ctx, in))
}
