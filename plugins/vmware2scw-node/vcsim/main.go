// vcsim launcher for the vmware2scw tests and benchmarks.
//
// Debian ships govmomi's simulator library (golang-github-vmware-govmomi-dev) but not the upstream
// `vcsim` command, so this small program builds a vCenter model with the requested shape, serves it on
// 127.0.0.1 and prints one JSON line describing it (URL, certificate thumbprint, datastore directories,
// staged objects). Build it in GOPATH mode: see build.sh.
package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	// Registers the vAPI endpoints (/rest session and tagging) used for vSphere tags.
	_ "github.com/vmware/govmomi/vapi/simulator"
)

type plantList []string

func (p *plantList) String() string     { return strings.Join(*p, ",") }
func (p *plantList) Set(v string) error { *p = append(*p, v); return nil }

type datastoreInfo struct {
	Name       string `json:"name"`
	Datacenter string `json:"datacenter"`
	Path       string `json:"path"`
}

type stagedInfo struct {
	RichVM         string `json:"richVm"`
	RichVMName     string `json:"richVmName"`
	PoweredOffVM   string `json:"poweredOffVm"`
	TemplateVM     string `json:"templateVm"`
	CustomField    string `json:"customField"`
	CustomValue    string `json:"customValue"`
	TagCategory    string `json:"tagCategory"`
	TagName        string `json:"tagName"`
	SnapshotName   string `json:"snapshotName"`
	FolderPath     string `json:"folderPath"`
	RdmDeviceName  string `json:"rdmDeviceName"`
	PassthroughPci string `json:"passthroughPci"`
}

type guestInfo struct {
	VM       string `json:"vm"`
	Name     string `json:"name"`
	DiskFile string `json:"diskFile"`
	FlatPath string `json:"flatPath"`
	Bytes    int64  `json:"bytes"`
}

type readyLine struct {
	URL              string          `json:"url"`
	ThumbprintSha256 string          `json:"thumbprintSha256"`
	ThumbprintSha1   string          `json:"thumbprintSha1"`
	CertPem          string          `json:"certPem"`
	VMs              int             `json:"vms"`
	Datastores       []datastoreInfo `json:"datastores"`
	Staged           *stagedInfo     `json:"staged,omitempty"`
	Planted          []string        `json:"planted,omitempty"`
	Guests           []guestInfo     `json:"guests,omitempty"`
}

func fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vcsim: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	dc := flag.Int("dc", 1, "datacenters")
	cluster := flag.Int("cluster", 1, "clusters per datacenter")
	clusterHost := flag.Int("host", 3, "hosts per cluster")
	standalone := flag.Int("standalone-host", 1, "standalone hosts per datacenter")
	vm := flag.Int("vm", 2, "VMs per standalone host and per cluster root resource pool")
	pool := flag.Int("pool", 0, "child resource pools per cluster")
	folder := flag.Int("folder", 0, "datacenters placed inside a folder")
	pg := flag.Int("pg", 1, "distributed port groups per datacenter")
	ds := flag.Int("ds", 1, "datastores per datacenter")
	idle := flag.Duration("idle-timeout", 0, "expire idle sessions after this duration (0: never)")
	stage := flag.Bool("stage", false, "stage a feature-rich VM (EFI, RDM, shared disk, passthrough, TPM, tag, custom attribute, snapshot, folder)")
	exitOnEOF := flag.Bool("exit-on-stdin-eof", false, "exit when stdin closes (the parent process died)")
	var plants plantList
	flag.Var(&plants, "plant", "plant a file: [DATASTORE:]PATH=SIZE; byte i of the file is i % 251 (repeatable)")
	guestDisk := flag.String("guest-disk", "", "raw disk image (absolute path) that becomes the flat extent of one VM's disk, served by /folder")
	var guestNames plantList
	flag.Var(&guestNames, "guest-name", "name of a VM that gets -guest-disk (repeatable: one VM each; default debian-guest)")
	var delays plantList
	flag.Var(&delays, "method-delay", "delay a SOAP method: NAME=MILLISECONDS, e.g. CreateSnapshot_Task=5000 (repeatable)")
	countCalls := flag.Bool("count-calls", false, "count SOAP calls by method, served as JSON at /lab/calls (what a test's side effects were)")
	flag.Parse()

	// Credentials come from the environment so that they never show in a process listing.
	username := os.Getenv("VCSIM_USERNAME")
	password := os.Getenv("VCSIM_PASSWORD")

	model := simulator.VPX()
	model.Datacenter = *dc
	model.Cluster = *cluster
	model.ClusterHost = *clusterHost
	model.Host = *standalone
	model.Machine = *vm
	model.Pool = *pool
	model.Folder = *folder
	model.Portgroup = *pg
	model.Datastore = *ds

	for _, d := range delays {
		parts := strings.SplitN(d, "=", 2)
		ms, err := strconv.Atoi(strings.TrimSpace(parts[len(parts)-1]))
		if len(parts) != 2 || err != nil {
			fail("method-delay %q: expected NAME=MILLISECONDS", d)
		}
		if model.DelayConfig.MethodDelay == nil {
			model.DelayConfig.MethodDelay = map[string]int{}
		}
		model.DelayConfig.MethodDelay[parts[0]] = ms
	}

	if err := model.Create(); err != nil {
		fail("model: %s", err)
	}
	defer model.Remove()

	simulator.SessionIdleTimeout = *idle
	model.Service.RegisterEndpoints = true
	model.Service.Listen = &url.URL{Host: *listen}
	if username != "" {
		model.Service.Listen.User = url.UserPassword(username, password)
	}
	model.Service.TLS = new(tls.Config)

	if *countCalls {
		counter := &callCounter{counts: map[string]int{}}
		r, w, err := os.Pipe()
		if err != nil {
			fail("count-calls: %s", err)
		}
		go counter.read(r)
		simulator.Trace = true
		simulator.TraceFile = w
		model.Service.HandleFunc("/lab/calls", counter.serve)
	}

	server := model.Service.NewServer()
	defer server.Close()

	ctx := context.Background()
	client, err := govmomi.NewClient(ctx, server.URL, true)
	if err != nil {
		fail("client: %s", err)
	}

	datastores, err := listDatastores(ctx, client)
	if err != nil {
		fail("datastores: %s", err)
	}

	var planted []string
	for _, spec := range plants {
		p, err := plant(spec, datastores)
		if err != nil {
			fail("plant %q: %s", spec, err)
		}
		planted = append(planted, p)
	}

	var staged *stagedInfo
	if *stage {
		staged, err = stageFeatures(ctx, client, server.URL)
		if err != nil {
			fail("stage: %s", err)
		}
	}

	var guests []guestInfo
	if *guestDisk != "" {
		if len(guestNames) == 0 {
			guestNames = plantList{"debian-guest"}
		}
		for i, name := range guestNames {
			g, err := attachGuestDisk(ctx, client, datastores, *guestDisk, name, i)
			if err != nil {
				fail("guest disk: %s", err)
			}
			guests = append(guests, *g)
		}
	}

	vms, err := countVMs(ctx, client)
	if err != nil {
		fail("count: %s", err)
	}
	_ = client.Logout(ctx)

	cert := server.Certificate()
	s256 := sha256.Sum256(cert.Raw)
	s1 := sha1.Sum(cert.Raw)
	u := *server.URL
	u.User = nil
	line := readyLine{
		URL:              u.String(),
		ThumbprintSha256: fingerprint(s256[:]),
		ThumbprintSha1:   fingerprint(s1[:]),
		CertPem:          string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		VMs:              vms,
		Datastores:       datastores,
		Staged:           staged,
		Planted:          planted,
		Guests:           guests,
	}
	out, _ := json.Marshal(line)
	fmt.Println(string(out))

	done := make(chan os.Signal, 1)
	signal.Notify(done, syscall.SIGINT, syscall.SIGTERM)
	if *exitOnEOF {
		go func() {
			_, _ = io.Copy(ioutil.Discard, os.Stdin)
			done <- syscall.SIGTERM
		}()
	}
	<-done
}

func listDatastores(ctx context.Context, c *govmomi.Client) ([]datastoreInfo, error) {
	finder := find.NewFinder(c.Client, false)
	dcs, err := finder.DatacenterList(ctx, "*")
	if err != nil {
		return nil, err
	}
	var res []datastoreInfo
	for _, dc := range dcs {
		finder.SetDatacenter(dc)
		list, err := finder.DatastoreList(ctx, "*")
		if err != nil {
			return nil, err
		}
		for _, ds := range list {
			var props mo.Datastore
			if err := ds.Properties(ctx, ds.Reference(), []string{"name", "summary"}, &props); err != nil {
				return nil, err
			}
			res = append(res, datastoreInfo{Name: props.Name, Datacenter: dc.InventoryPath, Path: props.Summary.Url})
		}
	}
	return res, nil
}

func countVMs(ctx context.Context, c *govmomi.Client) (int, error) {
	m := simulator.Map
	return len(m.All("VirtualMachine")), ctx.Err()
}

// plant writes a file of SIZE bytes with a known pattern into a datastore directory, so that tests
// can check ranged /folder downloads byte for byte.
func plant(spec string, datastores []datastoreInfo) (string, error) {
	if len(datastores) == 0 {
		return "", fmt.Errorf("no datastore")
	}
	target := datastores[0]
	eq := strings.LastIndex(spec, "=")
	if eq < 0 {
		return "", fmt.Errorf("expected PATH=SIZE")
	}
	rel, sizeText := spec[:eq], spec[eq+1:]
	if colon := strings.Index(rel, ":"); colon >= 0 {
		name := rel[:colon]
		rel = rel[colon+1:]
		found := false
		for _, d := range datastores {
			if d.Name == name {
				target, found = d, true
				break
			}
		}
		if !found {
			return "", fmt.Errorf("unknown datastore %s", name)
		}
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 {
		return "", fmt.Errorf("bad size %q", sizeText)
	}
	clean := filepath.Clean("/" + rel)
	path := filepath.Join(target.Path, clean)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	buf := make([]byte, 251*4096)
	for i := range buf {
		buf[i] = byte(i % 251)
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for remaining := size; remaining > 0; {
		n := int64(len(buf))
		if remaining < n {
			n = remaining
		}
		if _, err := f.Write(buf[:n]); err != nil {
			return "", err
		}
		remaining -= n
	}
	return fmt.Sprintf("[%s] %s", target.Name, strings.TrimPrefix(clean, "/")), nil
}

// stageFeatures turns the first standalone-host VM into one that exercises every mapping of the
// inventory model: EFI + secure boot, CBT, hot-add, an RDM, a multi-writer disk, a second NIC,
// a USB controller, PCI passthrough, a vTPM, a custom attribute, a vSphere tag, a snapshot and a
// nested folder; it also powers one VM off and turns another into a template.
func stageFeatures(ctx context.Context, c *govmomi.Client, u *url.URL) (*stagedInfo, error) {
	finder := find.NewFinder(c.Client, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		dcs, lerr := finder.DatacenterList(ctx, "*")
		if lerr != nil || len(dcs) == 0 {
			return nil, fmt.Errorf("no datacenter: %v", err)
		}
		dc = dcs[0]
	}
	finder.SetDatacenter(dc)
	vms, err := finder.VirtualMachineList(ctx, "*")
	if err != nil || len(vms) < 3 {
		return nil, fmt.Errorf("need at least 3 VMs to stage (have %d): %v", len(vms), err)
	}
	rich, off, tmpl := vms[0], vms[1], vms[2]
	st := &stagedInfo{
		RichVM:         rich.Reference().Value,
		RichVMName:     rich.Name(),
		PoweredOffVM:   off.Reference().Value,
		TemplateVM:     tmpl.Reference().Value,
		CustomField:    "owner",
		CustomValue:    "team-payments",
		TagCategory:    "Owner",
		TagName:        "team-payments",
		SnapshotName:   "pre-existing",
		RdmDeviceName:  "/vmfs/devices/disks/naa.600a098038303053453f463045726b65",
		PassthroughPci: "0000:3b:00.0",
	}

	devices, err := rich.Device(ctx)
	if err != nil {
		return nil, err
	}
	scsi, err := devices.FindSCSIController("")
	if err != nil {
		return nil, err
	}
	var dsName string
	var props mo.VirtualMachine
	if err := rich.Properties(ctx, rich.Reference(), []string{"config.files"}, &props); err != nil {
		return nil, err
	}
	var p object.DatastorePath
	p.FromString(props.Config.Files.VmPathName)
	dsName = p.Datastore

	unit := func(n int32) *int32 { return &n }
	falseVal, trueVal := false, true
	rdm := &types.VirtualDisk{
		VirtualDevice: types.VirtualDevice{
			Key:           2016,
			ControllerKey: scsi.Key,
			UnitNumber:    unit(1),
			Backing: &types.VirtualDiskRawDiskMappingVer1BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
					FileName: fmt.Sprintf("[%s] %s/%s_rdm.vmdk", dsName, rich.Name(), rich.Name()),
				},
				LunUuid:           "0200000000600a098038303053453f463045726b654c554e2020",
				DeviceName:        st.RdmDeviceName,
				CompatibilityMode: string(types.VirtualDiskCompatibilityModePhysicalMode),
				DiskMode:          string(types.VirtualDiskModeIndependent_persistent),
				Sharing:           string(types.VirtualDiskSharingSharingNone),
			},
		},
		CapacityInKB:    20 * 1024 * 1024,
		CapacityInBytes: 20 * 1024 * 1024 * 1024,
	}
	shared := &types.VirtualDisk{
		VirtualDevice: types.VirtualDevice{
			Key:           -102,
			ControllerKey: scsi.Key,
			UnitNumber:    unit(2),
			Backing: &types.VirtualDiskFlatVer2BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
					FileName: fmt.Sprintf("[%s] %s/%s_shared.vmdk", dsName, rich.Name(), rich.Name()),
				},
				DiskMode:        string(types.VirtualDiskModeIndependent_persistent),
				ThinProvisioned: &falseVal,
				EagerlyScrub:    &trueVal,
				Sharing:         string(types.VirtualDiskSharingSharingMultiWriter),
			},
		},
		CapacityInKB:    2 * 1024 * 1024,
		CapacityInBytes: 2 * 1024 * 1024 * 1024,
	}
	nic := &types.VirtualE1000e{VirtualEthernetCard: types.VirtualEthernetCard{VirtualDevice: types.VirtualDevice{
		Key: -103,
		Backing: &types.VirtualEthernetCardNetworkBackingInfo{
			VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"},
		},
		Connectable: &types.VirtualDeviceConnectInfo{Connected: false, StartConnected: true},
	}}}
	usb := &types.VirtualUSBXHCIController{VirtualController: types.VirtualController{VirtualDevice: types.VirtualDevice{Key: -104}}}
	gpu := &types.VirtualPCIPassthrough{VirtualDevice: types.VirtualDevice{
		Key:        -105,
		DeviceInfo: &types.Description{Label: "PCI device 0", Summary: "NVIDIA Tesla V100"},
		Backing: &types.VirtualPCIPassthroughDeviceBackingInfo{
			VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "NVIDIA Tesla V100"},
			Id:                             st.PassthroughPci,
			DeviceId:                       "1db4",
			SystemId:                       "5e2a6b47-0e5b-4ad3-ba33-42a3c5f8a001",
			VendorId:                       0x10de,
		},
	}}
	tpm := &types.VirtualTPM{VirtualDevice: types.VirtualDevice{Key: -106}}

	add := types.VirtualDeviceConfigSpecOperationAdd
	create := types.VirtualDeviceConfigSpecFileOperationCreate
	spec := types.VirtualMachineConfigSpec{
		GuestId:               "rhel7_64Guest", // 0.24.2 validates against its own (older) guest id list
		Annotation:            "staged by the vmware2scw vcsim launcher",
		NumCPUs:               4,
		NumCoresPerSocket:     2,
		MemoryMB:              8192,
		Firmware:              string(types.GuestOsDescriptorFirmwareTypeEfi),
		BootOptions:           &types.VirtualMachineBootOptions{EfiSecureBootEnabled: &trueVal},
		ChangeTrackingEnabled: &trueVal,
		CpuHotAddEnabled:      &trueVal,
		MemoryHotAddEnabled:   &trueVal,
		// vcsim turns SET.guest.* extra config keys into guest info, as VMware Tools would report it.
		ExtraConfig: []types.BaseOptionValue{
			&types.OptionValue{Key: "SET.guest.ipAddress", Value: "10.20.30.40"},
			&types.OptionValue{Key: "SET.guest.hostName", Value: "web-01.example.internal"},
		},
		DeviceChange: []types.BaseVirtualDeviceConfigSpec{
			&types.VirtualDeviceConfigSpec{Operation: add, FileOperation: create, Device: shared},
			&types.VirtualDeviceConfigSpec{Operation: add, Device: nic},
			&types.VirtualDeviceConfigSpec{Operation: add, Device: usb},
			&types.VirtualDeviceConfigSpec{Operation: add, Device: gpu},
			&types.VirtualDeviceConfigSpec{Operation: add, Device: tpm},
		},
	}
	if err := waitTask(ctx, func() (*object.Task, error) { return rich.Reconfigure(ctx, spec) }); err != nil {
		return nil, fmt.Errorf("reconfigure: %w", err)
	}

	// vcsim 0.24.2 panics when ReconfigVM adds an RDM (updateDiskLayouts assumes a flat backing), so the
	// RDM goes straight into the in-process model, as vCenter would report it.
	simVM := simulator.Map.Get(rich.Reference()).(*simulator.VirtualMachine)
	simulator.Map.WithLock(simVM, func() {
		simVM.Config.Hardware.Device = append(simVM.Config.Hardware.Device, rdm)
		for _, d := range simVM.Config.Hardware.Device {
			if ctl, ok := d.(types.BaseVirtualController); ok && d.GetVirtualDevice().Key == scsi.Key {
				ctl.GetVirtualController().Device = append(ctl.GetVirtualController().Device, rdm.Key)
			}
		}
	})

	// Folder /DC0/Production/Web
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	prod, err := folders.VmFolder.CreateFolder(ctx, "Production")
	if err != nil {
		return nil, err
	}
	web, err := prod.CreateFolder(ctx, "Web")
	if err != nil {
		return nil, err
	}
	if err := waitTask(ctx, func() (*object.Task, error) {
		return web.MoveInto(ctx, []types.ManagedObjectReference{rich.Reference()})
	}); err != nil {
		return nil, fmt.Errorf("move: %w", err)
	}
	st.FolderPath = "/" + dc.Name() + "/Production/Web"

	// Custom attribute
	cfm, err := object.GetCustomFieldsManager(c.Client)
	if err != nil {
		return nil, err
	}
	def, err := cfm.Add(ctx, st.CustomField, "VirtualMachine", nil, nil)
	if err != nil {
		return nil, fmt.Errorf("custom field: %w", err)
	}
	if err := cfm.Set(ctx, rich.Reference(), def.Key, st.CustomValue); err != nil {
		return nil, fmt.Errorf("set field: %w", err)
	}

	// vSphere tag (vAPI)
	rc := rest.NewClient(c.Client)
	user := u.User
	if user == nil {
		user = url.UserPassword("vcsim", "vcsim")
	}
	if err := rc.Login(ctx, user); err != nil {
		return nil, fmt.Errorf("rest login: %w", err)
	}
	tm := tags.NewManager(rc)
	catID, err := tm.CreateCategory(ctx, &tags.Category{Name: st.TagCategory, Cardinality: "SINGLE", AssociableTypes: []string{"VirtualMachine"}})
	if err != nil {
		return nil, fmt.Errorf("category: %w", err)
	}
	tagID, err := tm.CreateTag(ctx, &tags.Tag{Name: st.TagName, CategoryID: catID})
	if err != nil {
		return nil, fmt.Errorf("tag: %w", err)
	}
	if err := tm.AttachTag(ctx, tagID, rich.Reference()); err != nil {
		return nil, fmt.Errorf("attach: %w", err)
	}
	_ = rc.Logout(ctx)

	// Snapshot
	if err := waitTask(ctx, func() (*object.Task, error) {
		return rich.CreateSnapshot(ctx, st.SnapshotName, "staged", false, false)
	}); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}

	if err := waitTask(ctx, func() (*object.Task, error) { return off.PowerOff(ctx) }); err != nil {
		return nil, fmt.Errorf("power off: %w", err)
	}
	if err := waitTask(ctx, func() (*object.Task, error) { return tmpl.PowerOff(ctx) }); err != nil {
		return nil, fmt.Errorf("power off template: %w", err)
	}
	if err := tmpl.MarkAsTemplate(ctx); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return st, nil
}

func waitTask(ctx context.Context, start func() (*object.Task, error)) error {
	task, err := start()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return task.Wait(ctx)
}

// attachGuestDisk makes the nth VM from the end of the inventory a VM whose only disk is the given raw image, as a
// Linux VM with BIOS firmware would have it on a VMFS datastore: the disk capacity is the image size and
// the disk's flat extent (`<disk>-flat.vmdk` next to its descriptor) is the image itself (a symbolic
// link), so that a datastore /folder download returns the image's bytes, with Range support.
func attachGuestDisk(ctx context.Context, c *govmomi.Client, datastores []datastoreInfo, image, name string, nth int) (*guestInfo, error) {
	st, err := os.Stat(image)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(image) {
		return nil, fmt.Errorf("%s: an absolute path is needed", image)
	}
	finder := find.NewFinder(c.Client, true)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	vms, err := finder.VirtualMachineList(ctx, "*")
	if err != nil || len(vms) <= nth {
		return nil, fmt.Errorf("no VM left to attach the disk to: %v", err)
	}
	vm := vms[len(vms)-1-nth]
	devices, err := vm.Device(ctx)
	if err != nil {
		return nil, err
	}
	disks := devices.SelectByType((*types.VirtualDisk)(nil))
	if len(disks) == 0 {
		return nil, fmt.Errorf("%s has no disk", vm.Name())
	}
	disk := disks[0].(*types.VirtualDisk)
	backing, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	if !ok {
		return nil, fmt.Errorf("%s: disk backing is not flat", vm.Name())
	}
	disk.CapacityInBytes = st.Size()
	disk.CapacityInKB = st.Size() / 1024
	spec := types.VirtualMachineConfigSpec{
		GuestId:  "debian10_64Guest",
		Firmware: string(types.GuestOsDescriptorFirmwareTypeBios),
		DeviceChange: []types.BaseVirtualDeviceConfigSpec{
			&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: disk},
		},
	}
	if err := waitTask(ctx, func() (*object.Task, error) { return vm.Reconfigure(ctx, spec) }); err != nil {
		return nil, fmt.Errorf("reconfigure: %w", err)
	}
	if err := waitTask(ctx, func() (*object.Task, error) { return vm.Rename(ctx, name) }); err != nil {
		return nil, fmt.Errorf("rename: %w", err)
	}
	var p object.DatastorePath
	if !p.FromString(backing.FileName) {
		return nil, fmt.Errorf("bad disk file name %q", backing.FileName)
	}
	var dir string
	for _, d := range datastores {
		if d.Name == p.Datastore {
			dir = d.Path
		}
	}
	if dir == "" {
		return nil, fmt.Errorf("datastore %s not found", p.Datastore)
	}
	flat := filepath.Join(dir, strings.TrimSuffix(p.Path, ".vmdk")+"-flat.vmdk")
	_ = os.MkdirAll(filepath.Dir(flat), 0o755)
	_ = os.Remove(flat)
	if err := os.Symlink(image, flat); err != nil {
		return nil, err
	}
	return &guestInfo{
		VM:       vm.Reference().Value,
		Name:     name,
		DiskFile: backing.FileName,
		FlatPath: flat,
		Bytes:    st.Size(),
	}, nil
}

// callCounter counts the SOAP requests of the simulator's trace by method name (the first element of the
// SOAP body), so that a test can tell how many snapshots were created, not only how many are left. The
// trace goes through a pipe (the simulator writes it to an *os.File).
type callCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

var soapMethod = regexp.MustCompile(`<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([A-Za-z_]+)`)

func (c *callCounter) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 1<<20)
	var request strings.Builder
	inRequest := false
	for {
		line, err := br.ReadString('\n')
		if strings.HasPrefix(line, "Request: ") {
			inRequest = true
			request.Reset()
		} else if strings.HasPrefix(line, "Response: ") {
			inRequest = false
		}
		if inRequest && request.Len() < 1<<16 {
			request.WriteString(line)
			if m := soapMethod.FindStringSubmatch(request.String()); m != nil {
				c.mu.Lock()
				c.counts[m[1]]++
				c.mu.Unlock()
				inRequest = false
			}
		}
		if err != nil {
			return
		}
	}
}

func (c *callCounter) serve(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	out, _ := json.Marshal(c.counts)
	c.mu.Unlock()
	w.Header().Set("content-type", "application/json")
	_, _ = w.Write(out)
}
