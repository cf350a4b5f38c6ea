func.func @fc(%x: tensor<1x512xf32> {mote.name = "x"}) -> (tensor<1x128xf32> {mote.name = "y"}) {
  %w = mote.constant dense<0.01> : tensor<128x512xf32> -> tensor<128x512xf32>
  %y = mote.fully_connected %x, %w : (tensor<1x512xf32>, tensor<128x512xf32>) -> tensor<1x128xf32>
  return %y : tensor<1x128xf32>
}
