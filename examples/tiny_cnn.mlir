// A small float CNN in the mote dialect (NHWC): conv + batch-norm scale and
// shift + ReLU6, depthwise conv, residual add, global average pooling and a
// fully-connected classifier. The demo (scripts/demo.sh) runs it through
// the pipeline stages that exist so far.
func.func @tiny_cnn(%image: tensor<1x8x8x1xf32>) -> tensor<1x4xf32> {
  %w1 = mote.constant dense<[[[[0.5], [-0.25], [0.125]], [[0.25], [1.0], [-0.5]], [[0.0], [0.75], [0.25]]], [[[-0.5], [0.25], [0.5]], [[0.125], [-1.0], [0.25]], [[0.5], [0.0], [-0.25]]]]> : tensor<2x3x3x1xf32> -> tensor<2x3x3x1xf32>
  %gamma = mote.constant dense<[1.5, 0.5]> : tensor<2xf32> -> tensor<2xf32>
  %beta = mote.constant dense<[0.1, -0.2]> : tensor<2xf32> -> tensor<2xf32>
  %c1 = mote.conv2d %image, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x1xf32>, tensor<2x3x3x1xf32>) -> tensor<1x8x8x2xf32>
  %bn_scale = mote.mul %c1, %gamma : (tensor<1x8x8x2xf32>, tensor<2xf32>) -> tensor<1x8x8x2xf32>
  %bn = mote.add %bn_scale, %beta : (tensor<1x8x8x2xf32>, tensor<2xf32>) -> tensor<1x8x8x2xf32>
  %r1 = mote.clamp %bn {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8x8x2xf32>
  %wd = mote.constant dense<[[[[0.25], [0.5], [0.25]], [[0.5], [1.0], [0.5]], [[0.25], [0.5], [0.25]]], [[[0.0], [-0.5], [0.0]], [[-0.5], [2.0], [-0.5]], [[0.0], [-0.5], [0.0]]]]> : tensor<2x3x3x1xf32> -> tensor<2x3x3x1xf32>
  %dw = mote.conv2d %r1, %wd {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 2} : (tensor<1x8x8x2xf32>, tensor<2x3x3x1xf32>) -> tensor<1x8x8x2xf32>
  %res = mote.add %dw, %r1 : (tensor<1x8x8x2xf32>, tensor<1x8x8x2xf32>) -> tensor<1x8x8x2xf32>
  %pool = mote.avg_pool2d %res {kernel = array<i64: 8, 8>, strides = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x2xf32>) -> tensor<1x1x1x2xf32>
  %flat = mote.reshape %pool : (tensor<1x1x1x2xf32>) -> tensor<1x2xf32>
  %wfc = mote.constant dense<[[1.0, -1.0], [0.5, 0.5], [-0.25, 1.0], [0.0, 2.0]]> : tensor<4x2xf32> -> tensor<4x2xf32>
  %bfc = mote.constant dense<[0.0, 0.1, 0.2, 0.3]> : tensor<4xf32> -> tensor<4xf32>
  %logits = mote.fully_connected %flat, %wfc, %bfc : (tensor<1x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %logits : tensor<1x4xf32>
}
