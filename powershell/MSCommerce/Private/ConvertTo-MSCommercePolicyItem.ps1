function ConvertTo-MSCommercePolicyItem {
    <#
    .SYNOPSIS
        Turns a product or offer-type item of the service into an MSCommerce.ProductPolicy or
        MSCommerce.OfferTypePolicy object.

    .DESCRIPTION
        Like Microsoft's module 2.x, an item whose scope is 'product' becomes a product (PolicyId, PolicyValue,
        ProductName, ProductId) and any other item an offer type (PolicyId, PolicyValue, Scope, ScopeValue,
        ScopeId). An item without scope but with a productId is a product too.

    .PARAMETER InputObject
        One item as the service returns it.

    .EXAMPLE
        ConvertTo-MSCommercePolicyItem -InputObject $response

        Returns an MSCommerce.ProductPolicy object for a product item.

    .OUTPUTS
        MSCommerce.ProductPolicy or MSCommerce.OfferTypePolicy.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.ProductPolicy', 'MSCommerce.OfferTypePolicy')]
    param(
        [Parameter(Mandatory)]
        [AllowNull()]
        [psobject]$InputObject
    )

    # An empty answer (HTTP 200 without a body) is a clear error, not a parameter binding error; the callers
    # convert inside their try, so it is written like any other failure.
    if ($null -eq $InputObject) {
        $splatError = @{
            Message  = 'The service answered without a body where a policy value was expected.'
            ErrorId  = 'EmptyResponse'
            Category = 'InvalidResult'
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $scope = [string]$InputObject.scope
    $productId = [string]$InputObject.productId
    if ($scope -eq 'product' -or ([string]::IsNullOrEmpty($scope) -and -not [string]::IsNullOrEmpty($productId))) {
        return [pscustomobject]@{
            PSTypeName  = 'MSCommerce.ProductPolicy'
            PolicyId    = $InputObject.policyId
            PolicyValue = $InputObject.policyValue
            ProductName = $InputObject.productName
            ProductId   = $InputObject.productId
        }
    }
    [pscustomobject]@{
        PSTypeName  = 'MSCommerce.OfferTypePolicy'
        PolicyId    = $InputObject.policyId
        PolicyValue = $InputObject.policyValue
        Scope       = $InputObject.scope
        ScopeValue  = $InputObject.scopeValue
        ScopeId     = $InputObject.scopeId
    }
}
