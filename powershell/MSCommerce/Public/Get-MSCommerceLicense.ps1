function Get-MSCommerceLicense {
    <#
    .SYNOPSIS
        Shows the organization's self-service licenses per product, or who holds a product's, by purchaser.

    .DESCRIPTION
        Without -ProductId, calls GET /v1.0/licenses/products: one MSCommerce.ProductLicense per product bought
        through self-service, listed once however many users bought it, with SubscriptionCount,
        AvailableQuantity (the licenses bought, summed over every active self-service subscription of the
        product) and AssignedCount.

        With -ProductId (or products piped in, for example from the list), calls
        GET /v1.0/licenses/products/{productId} for each one: one MSCommerce.LicenseHolder per user who holds a
        self-service license of the product, with the Purchaser who bought it and the SubscriptionId it comes
        from. The service answers the users grouped by purchaser, and the default table view shows them so
        grouped. A product without self-service licenses gives nothing; an unknown product ID is reported as a
        non-terminating error (ProductNotFound) and the next product is still read.

        LicenseHolder objects bind by property name (SubscriptionId) to Export-MSCommerceLicenseUser. Needs
        Global Administrator, Billing Administrator or Global Reader.

    .PARAMETER ProductId
        One or more product IDs (current or old, any case) or third-party offer types. Binds from the ProductId
        property of piped objects.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceLicense

        Lists every product bought through self-service, with its total quantity and assigned licenses.

    .EXAMPLE
        Get-MSCommerceLicense -ProductId CFQ7TTC0H9MP

        Shows who holds self-service Power BI Pro licenses, grouped by the user who bought them.

    .EXAMPLE
        Get-MSCommerceLicense -ProductId CFQ7TTC0H9MP | Group-Object -Property Purchaser | Sort-Object -Property Count -Descending

        Counts the Power BI Pro license holders of each purchaser, the largest first.

    .EXAMPLE
        Get-MSCommerceLicense | Get-MSCommerceLicense | Export-Csv -Path ./self-service-holders.csv -NoTypeInformation

        Writes every self-service license holder of every product to a CSV file.

    .INPUTS
        System.String. Product IDs, by property name (ProductId).

    .OUTPUTS
        MSCommerce.ProductLicense (ProductId, ProductName, Scope, SubscriptionCount, AvailableQuantity,
        AssignedCount), or with -ProductId MSCommerce.LicenseHolder (ProductId, ProductName, Purchaser,
        PurchaserName, PurchaserId, UserId, DisplayName, UserPrincipalName, SubscriptionId, AssignedAt).
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.ProductLicense', 'MSCommerce.LicenseHolder')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$ProductId,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $products = @($ProductId | Where-Object -FilterScript { -not [string]::IsNullOrWhiteSpace($_) })
        if ($products.Count -eq 0) {
            $splatList = @{
                Method       = 'GET'
                Path         = '/v1.0/licenses/products'
                Token        = $Token
                ErrorContext = 'Failed to retrieve licenses'
            }
            try {
                $answer = Invoke-MSCommerceRestMethod @splatList
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
                return
            }
            foreach ($item in $answer.items) {
                [pscustomobject]@{
                    PSTypeName        = 'MSCommerce.ProductLicense'
                    ProductId         = [string]$item.productId
                    ProductName       = [string]$item.productName
                    Scope             = [string]$item.scope
                    SubscriptionCount = [long]$item.subscriptionCount
                    AvailableQuantity = [long]$item.availableQuantity
                    AssignedCount     = [long]$item.assignedCount
                }
            }
            return
        }

        foreach ($id in $products) {
            $splatOne = @{
                Method        = 'GET'
                Path          = '/v1.0/licenses/products/{productId}'
                PathParameter = @{ productId = $id }
                Token         = $Token
                ErrorContext  = "Failed to retrieve licenses of ProductId '$id'"
                TargetObject  = $id
            }
            try {
                $product = Invoke-MSCommerceRestMethod @splatOne
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
                continue
            }
            foreach ($group in $product.purchasers) {
                foreach ($user in $group.users) {
                    [pscustomobject]@{
                        PSTypeName        = 'MSCommerce.LicenseHolder'
                        ProductId         = [string]$product.productId
                        ProductName       = [string]$product.productName
                        Purchaser         = [string]$group.purchaser.userPrincipalName
                        PurchaserName     = [string]$group.purchaser.displayName
                        PurchaserId       = [string]$group.purchaser.id
                        UserId            = [string]$user.id
                        DisplayName       = [string]$user.displayName
                        UserPrincipalName = [string]$user.userPrincipalName
                        SubscriptionId    = [string]$user.subscriptionId
                        AssignedAt        = ConvertTo-MSCommerceUtcDateTime -Value $user.assignedAt
                    }
                }
            }
        }
    }
}
