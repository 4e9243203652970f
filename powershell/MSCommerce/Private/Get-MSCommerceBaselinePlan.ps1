function Get-MSCommerceBaselinePlan {
    <#
    .SYNOPSIS
        Computes the changes that bring the current policy values to a baseline.

    .DESCRIPTION
        For each current item the desired value is its entry in -Exception, else -DefaultValue for a product and
        -OfferTypeValue for an offer type. Items whose value already matches (compared case-insensitively) are
        left out, so applying the plan twice changes nothing the second time. Reads and writes nothing.

    .PARAMETER CurrentItem
        The current MSCommerce.ProductPolicy and MSCommerce.OfferTypePolicy objects.

    .PARAMETER DefaultValue
        The value for products without an exception.

    .PARAMETER OfferTypeValue
        The value for offer types without an exception.

    .PARAMETER Exception
        The normalized exceptions (see ConvertTo-MSCommerceBaselineException).

    .EXAMPLE
        Get-MSCommerceBaselinePlan -CurrentItem $products -DefaultValue 'Disabled' -OfferTypeValue 'Disabled' -Exception $map

        Returns one object per product whose value differs from the baseline.

    .OUTPUTS
        System.Management.Automation.PSCustomObject with Scope, TargetId, TargetName, OldValue, NewValue.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [psobject[]]$CurrentItem,

        [Parameter(Mandatory)]
        [string]$DefaultValue,

        [Parameter(Mandatory)]
        [string]$OfferTypeValue,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.Dictionary[string, string]]$Exception
    )

    foreach ($item in $CurrentItem) {
        if ($item.PSObject.TypeNames -contains 'MSCommerce.OfferTypePolicy') {
            $scope = 'OfferType'
            $targetId = $item.ScopeId
            $targetName = $item.ScopeValue
            $desired = $OfferTypeValue
        }
        else {
            $scope = 'product'
            $targetId = $item.ProductId
            $targetName = $item.ProductName
            $desired = $DefaultValue
        }
        if (-not [string]::IsNullOrEmpty($targetId) -and $Exception.ContainsKey($targetId)) {
            $desired = $Exception[$targetId]
        }
        if ($item.PolicyValue -ne $desired) {
            [pscustomobject]@{
                Scope      = $scope
                TargetId   = $targetId
                TargetName = $targetName
                OldValue   = $item.PolicyValue
                NewValue   = $desired
            }
        }
    }
}
