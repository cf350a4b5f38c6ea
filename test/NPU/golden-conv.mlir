// RUN: mote-opt %s --mote-bitwidth-lowering=quiet --mote-to-npu=weights=stream --npu-estimate | mote-translate --npu-to-masm | FileCheck %s
// RUN: mote-opt %s --mote-bitwidth-lowering=quiet --mote-to-npu=weights=stream --npu-estimate -o %t.npu.mlir
// RUN: mote-translate --npu-to-mbin %t.npu.mlir -o %t.mbin
// RUN: mote-translate --disassemble %t.mbin | FileCheck %s

// Golden instruction dump of a small int8 conv on mote-default (4-bit
// digits): u8 activations (2 unsigned digits) x i8 weights (signed top
// plane at wgt_addr=32, unsigned low plane at 0) = 4 MATMUL passes with
// shifts 8/4/4/0, then requantize (records at src_b=64: {bias, M, S} per
// channel) with the fused ReLU as the clamp [-5, 127], and one STORE.
// The .mbin round trip prints the same text.

// CHECK: .target "mote-default" 0xb868d0c3184d1582
// CHECK: .input name="x" shape=[1,1,4,4] perm=[0,2,3,1] layout="NCHW" dtype="u8" addr=128 bytes=16
// CHECK: .output name="y" shape=[1,4,4,2] perm=[] {{.*}}dtype="i8" addr=192 bytes=32 scale=0.01 zp=-5
// CHECK: .layer name="conv2d@{{[0-9]+}}" kind="conv2d" first=0 count=35 macs=288 digit_macs=1152 dram_bytes=176 roofline_cycles=22
// Weight planes, 5 bytes a row (9 digits of 4 bits, LSB first): channel 0
// low digits 4 3 5 1 2 3 1 15 0 -> 34 15 32 f1 00.
// CHECK-NEXT: .const 341532f100f1f1f14c0900000000000000000000000000000000000000000000b600007800f0f0f0c30000000000000000000000000000000000000000000000
// CHECK-NEXT: .const 6400000040404040260000003
// CHECK: ; layer conv2d@{{[0-9]+}} (conv2d)
// CHECK-NEXT: config engine=load reg=LD_ROW_STRIDE value=0
// CHECK-NEXT: config engine=load reg=LD_PIX_STRIDE value=64
// CHECK-NEXT: load buffer=weight rows=1 cols=2 elem_bytes=64
// CHECK-NEXT: config engine=load reg=LD_ROW_STRIDE value=4
// CHECK-NEXT: config engine=load reg=LD_PIX_STRIDE value=1
// CHECK-NEXT: config engine=load reg=LD_PAD_VALUE value=0
// CHECK-NEXT: load buffer=activation dram_addr=128 rows=4 cols=4 elem_bytes=1 pad_top=1 pad_bottom=1 pad_left=1 pad_right=1 push_next
// CHECK-NEXT: config engine=execute reg=MM_KH value=3 pop_prev
// CHECK-NEXT: config engine=execute reg=MM_KW value=3
// CHECK-NEXT: config engine=execute reg=MM_STRIDE_H value=1
// CHECK-NEXT: config engine=execute reg=MM_STRIDE_W value=1
// CHECK-NEXT: config engine=execute reg=MM_DIL_H value=1
// CHECK-NEXT: config engine=execute reg=MM_DIL_W value=1
// CHECK-NEXT: config engine=execute reg=MM_IN_ZP value=0
// CHECK-NEXT: config engine=execute reg=MM_IN_SIGNED value=0
// CHECK-NEXT: config engine=execute reg=MM_IN_C0 value=0
// CHECK-NEXT: config engine=execute reg=VEC_ZP_OUT value=-5
// CHECK-NEXT: config engine=execute reg=VEC_OUT_SIGNED value=1
// CHECK-NEXT: config engine=execute reg=VEC_CLAMP_LO value=-5
// CHECK-NEXT: config engine=execute reg=VEC_CLAMP_HI value=127
// CHECK-NEXT: config engine=execute reg=MM_IN_W value=6
// CHECK-NEXT: config engine=execute reg=MM_IN_C value=1
// CHECK-NEXT: config engine=execute reg=MM_IN_CG value=1
// CHECK-NEXT: matmul wgt_addr=32 out_h=4 out_w=4 out_c=2 a_digit=1 w_digit=1 w_signed shift=8
// CHECK-NEXT: matmul wgt_addr=32 out_h=4 out_w=4 out_c=2 w_digit=1 w_signed shift=4 accumulate
// CHECK-NEXT: matmul out_h=4 out_w=4 out_c=2 a_digit=1 shift=4 accumulate
// CHECK-NEXT: matmul out_h=4 out_w=4 out_c=2 accumulate drain
// CHECK-NEXT: vec op=requantize src_b=64 out_h=4 out_w=4 channels=2 dst_addr=96 a_acc a_drain push_prev push_next
// CHECK-NEXT: config engine=store reg=ST_ROW_STRIDE value=8 pop_prev
// CHECK-NEXT: config engine=store reg=ST_PIX_STRIDE value=2
// CHECK-NEXT: store buffer=activation sram_addr=96 dram_addr=192 rows=4 cols=4 elem_bytes=2 push_prev
// CHECK-NEXT: sync engine=execute pop_next
// CHECK-NEXT: sync engine=execute push_prev
// CHECK-NEXT: sync engine=load pop_next
// CHECK-NEXT: sync engine=load pop_next
// CHECK-NEXT: finish

func.func @conv(%arg0: tensor<1x1x4x4xf32> {mote.name = "x", mote.layout = "NCHW"}) -> (tensor<1x4x4x2xf32> {mote.name = "y"}) {
  %q = mote.quantize %arg0 : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.0039215686274509803>>
  %t = mote.transpose %q {perms = array<i64: 0, 2, 3, 1>} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.0039215686274509803>>) -> tensor<1x4x4x1x!quant.uniform<u8:f32, 0.0039215686274509803>>
  %w = mote.constant dense<[[[[100], [-77], [5]], [[1], [2], [3]], [[-127], [127], [0]]], [[[1], [-1], [1]], [[-1], [1], [-1]], [[60], [-60], [9]]]]> : tensor<2x3x3x1xi8> -> tensor<2x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>
  %b = mote.constant dense<[100, -200]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {3.921568627450980e-05, 7.843137254901960e-05}>>
  %c = mote.conv2d %t, %w, %b {dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x1x!quant.uniform<u8:f32, 0.0039215686274509803>>, tensor<2x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i32:f32:0, {3.921568627450980e-05, 7.843137254901960e-05}>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>
  %r = mote.clamp %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>
  %d = mote.dequantize %r : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>) -> tensor<1x4x4x2xf32>
  return %d : tensor<1x4x4x2xf32>
}
