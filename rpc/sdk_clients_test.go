package rpc

import (
	"fmt"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ebs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/smc"
)

// sdkCall runs one call of an official SDK against host ("127.0.0.1:port").
type sdkCall struct {
	name   string // also the golden vector's file name
	signer Signer
	action string
	run    func(host string) error
}

// sdkCalls are the requests the golden vectors hold: the v1 SDK's typed clients for both
// products (list, object-list and nested-list parameters, awkward characters) and the v2
// SDK core's CallApi with the Params the smc v2 SDK passes (api-surface.md §7.1).
var sdkCalls = []sdkCall{
	{"v1-smc-CreateReplicationJob", V1, "CreateReplicationJob", v1CreateReplicationJob},
	{"v1-smc-DescribeReplicationJobs", V1, "DescribeReplicationJobs", v1DescribeReplicationJobs},
	{"v1-ebs-StopDiskReplicaGroup", V1, "StopDiskReplicaGroup", v1StopDiskReplicaGroup},
	{"v3-smc-CreateReplicationJob", V3, "CreateReplicationJob", func(h string) error {
		return v3Call(h, "2019-06-01", "CreateReplicationJob", map[string]string{
			"RegionId": "cn-hangzhou", "SourceId": "s-123", "Name": "my job", "RunOnce": "true",
			"Description": "a*b~c d/é", "SystemDiskSize": "40", "Disks.System.Size": "40",
			"Tag.1.Key": "k1", "Tag.1.Value": "v1", "DataDisk.1.Index": "1", "DataDisk.1.Size": "100",
			"DataDisk.1.Part.1.Device": "0_1", "DataDisk.1.Part.1.SizeBytes": "1024", "DataDisk.1.Part.1.Block": "true",
		})
	}},
	{"v3-smc-DescribeReplicationJobs", V3, "DescribeReplicationJobs", func(h string) error {
		return v3Call(h, "2019-06-01", "DescribeReplicationJobs", map[string]string{
			"RegionId": "cn-hangzhou", "JobId.1": "j-1", "JobId.2": "j-2", "PageSize": "50",
		})
	}},
	{"v3-ebs-StopDiskReplicaGroup", V3, "StopDiskReplicaGroup", func(h string) error {
		return v3Call(h, "2021-07-30", "StopDiskReplicaGroup", map[string]string{
			"RegionId": "cn-hangzhou", "ReplicaGroupId": "pg-123", "ClientToken": "tok-1",
		})
	}},
}

func v1SMC(host string) (*smc.Client, error) {
	c, err := smc.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewAccessKeyCredential(testID, testSecret))
	if err != nil {
		return nil, err
	}
	c.Domain = host
	return c, nil
}

func v1CreateReplicationJob(host string) error {
	c, err := v1SMC(host)
	if err != nil {
		return err
	}
	req := smc.CreateReplicationJobRequest{RpcRequest: smc.CreateCreateReplicationJobRequest().RpcRequest}
	req.SourceId, req.Name, req.Description = "s-123", "my job", "a*b~c d/é"
	req.RunOnce, req.SystemDiskSize = "true", "40"
	req.Tag = &[]smc.CreateReplicationJobTag{{Key: "k1", Value: "v1"}, {Key: "k2", Value: "v2"}}
	req.SystemDiskPart = &[]smc.CreateReplicationJobSystemDiskPart{{Device: "0_0", SizeBytes: "512", Block: "false"}}
	req.DataDisk = &[]smc.CreateReplicationJobDataDisk{{Index: "1", Size: "100",
		Part: &[]smc.CreateReplicationJobPart{{Device: "0_1", SizeBytes: "1024", Block: "true"}}}}
	_, err = c.CreateReplicationJob(&req)
	return err
}

func v1DescribeReplicationJobs(host string) error {
	c, err := v1SMC(host)
	if err != nil {
		return err
	}
	req := smc.CreateDescribeReplicationJobsRequest()
	req.JobId = &[]string{"j-1", "j-2", "j-3"}
	req.PageSize = "50"
	_, err = c.DescribeReplicationJobs(req)
	return err
}

func v1StopDiskReplicaGroup(host string) error {
	c, err := ebs.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewAccessKeyCredential(testID, testSecret))
	if err != nil {
		return err
	}
	c.Domain = host // EBS has no endpoint data: without it the SDK asks the Location service
	req := ebs.CreateStopDiskReplicaGroupRequest()
	req.ReplicaGroupId, req.ClientToken = "pg-123", "tok-1"
	_, err = c.StopDiskReplicaGroup(req)
	return err
}

// v3Call is what a v2 product SDK does under the hood: CallApi with RPC Params.
func v3Call(host, version, action string, query map[string]string) error {
	c, err := openapi.NewClient(&openapi.Config{
		Endpoint: dara.String(host), Protocol: dara.String("HTTP"), RegionId: dara.String("cn-hangzhou"),
		AccessKeyId: dara.String(testID), AccessKeySecret: dara.String(testSecret),
	})
	if err != nil {
		return err
	}
	params := &openapi.Params{
		Action: dara.String(action), Version: dara.String(version), Protocol: dara.String("HTTPS"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	q := map[string]*string{}
	for k, v := range query {
		q[k] = dara.String(v)
	}
	_, err = c.CallApi(params, &openapi.OpenApiRequest{Query: q}, &dara.RuntimeOptions{})
	if err != nil {
		return fmt.Errorf("v2 CallApi: %w", err)
	}
	return nil
}
